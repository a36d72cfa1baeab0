/**
 * A name as a lenient reader might take it (SPEC §4): NFKC, case folding, and neither invisible
 * characters (zero-width spaces and joiners, soft hyphens, byte-order marks: Unicode's default
 * ignorables) nor white space at either end. Two names equal under this but not exactly are
 * suspicious: a typo, or an attempt to slip past a rule through a server that trims or folds.
 */
export function foldName(name: string): string {
  // Printable ASCII with no capital letter is its own fold (NFKC leaves ASCII as it is, none of it
  // is ignorable, and there is no white space to trim): nearly every name is, and is checked on
  // every call, so it is not normalised for nothing.
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || (c >= 65 && c <= 90)) return name.normalize('NFKC').replace(IGNORABLE, '').trim().toLowerCase();
  }
  return name;
}

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * A name as a lenient reader might take it (SPEC §4): NFKC, case folding, and neither invisible
 * characters (zero-width spaces and joiners, soft hyphens, byte-order marks: Unicode's default
 * ignorables) nor white space at either end. Two names equal under this but not exactly are
 * suspicious: a typo, or an attempt to slip past a rule through a server that trims or folds.
 */
export function foldName(name: string): string {
  return name.normalize('NFKC').replace(IGNORABLE, '').trim().toLowerCase();
}

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

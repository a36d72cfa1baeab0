/** NFKC plus case folding: two names equal under this but not exactly are suspicious (SPEC §4). */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

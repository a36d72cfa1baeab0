/**
 * A server command as it is shown in a generated policy file. Policy files get committed and
 * shared, so the values of options that look like credentials are replaced: a token passed on
 * the command line must not end up in the repository.
 */
const SECRET_OPTION = /^--?[\w-]*(token|secret|passw(or)?d|api[-_]?key|auth|credential)[\w-]*$/i;

export function displayCommand(words: string[], redact = true): string {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const eq = word.indexOf('=');
    if (redact && eq > 0 && SECRET_OPTION.test(word.slice(0, eq))) {
      out.push(`${shellWord(word.slice(0, eq))}=<redacted>`);
    } else if (redact && SECRET_OPTION.test(word) && i + 1 < words.length) {
      out.push(shellWord(word), '<redacted>');
      i++;
    } else {
      out.push(shellWord(word));
    }
  }
  return out.join(' ');
}

/** A word as a POSIX shell needs it quoted, so a printed command can be pasted back. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

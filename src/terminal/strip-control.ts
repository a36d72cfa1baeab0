/**
 * Strips terminal control sequences (CSI, OSC and other C0/C1 controls, except tab and newline)
 * from untrusted text — a server's or an agent's — before it is printed to a terminal, so it
 * cannot move the cursor, rewrite earlier lines or set the window title.
 */
export function stripControl(text: string): string {
  return text
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, '')
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

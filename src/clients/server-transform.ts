import type { ConfigDocument, ServerSource } from './config-document.js';
import { needsWindowsShell, WINDOWS_SHELL } from './guard-form.js';
import { serverStatus } from './server-status.js';
import { insertElements, removeLeadingElements, spanText, type TextEdit } from './text-edit.js';

/** How mcp-guard is started from a client config: `command` runs `script` (see guard-launcher.ts). */
export interface GuardLauncher {
  command: string;
  script: string;
}

export interface WrapSettings {
  launcher: GuardLauncher;
  /** Absolute path of the policy. */
  policy: string;
  /** The platform the client runs on: on Windows a `.cmd` server gets a shell. */
  platform: NodeJS.Platform;
}

/** What happens to one server; `edits` are there for the actions that change the file. */
export type ServerAction =
  | { action: 'wrap'; edits: TextEdit[]; expected: { command: string; args: string[] } }
  | { action: 'update-policy'; edits: TextEdit[]; from: string | undefined }
  | { action: 'unwrap'; edits: TextEdit[]; expected: { command: string; args: string[] | undefined } }
  | { action: 'already-guarded' | 'not-guarded' | 'remote'; edits?: undefined }
  | { action: 'unsupported'; reason: string; edits?: undefined };

/**
 * The edits that make a server start through mcp-guard. The wrapped entry's args are mcp-guard's
 * script and options, `--`, then the original command and args with their source text moved
 * unchanged, so `unwrap` can restore them byte for byte with nothing stored anywhere else.
 */
export function planWrap(text: string, doc: ConfigDocument, server: ServerSource, settings: WrapSettings): ServerAction {
  const status = serverStatus(server);
  if (status.transport === 'remote') return { action: 'remote' };
  if (status.problem !== undefined || status.command === undefined) return { action: 'unsupported', reason: status.problem ?? 'it has no command' };
  const guard = status.guard;
  if (guard) {
    if (guard.policy === settings.policy) return { action: 'already-guarded' };
    const args = server.args?.layout;
    if (guard.policyIndex !== undefined && args) {
      const element = args.elements[guard.policyIndex]!;
      const written = status.args![guard.policyIndex]!.startsWith('--policy=') ? `--policy=${settings.policy}` : settings.policy;
      return { action: 'update-policy', from: guard.policy, edits: [{ ...element, content: doc.quote(written) }] };
    }
    if (guard.separator !== undefined && args) {
      return { action: 'update-policy', from: undefined, edits: [insertElements(text, args, guard.separator, [doc.quote('--policy'), doc.quote(settings.policy)])] };
    }
    return { action: 'unsupported', reason: 'it starts mcp-guard without "--" before the server command; edit it by hand' };
  }

  const shell = settings.platform === 'win32' && needsWindowsShell(status.command) ? [...WINDOWS_SHELL] : [];
  const prefix = [settings.launcher.script, '--policy', settings.policy, '--', ...shell];
  const elements = [...prefix.map(doc.quote), spanText(text, server.command!.span)];
  const edits: TextEdit[] = [{ ...server.command!.span, content: doc.quote(settings.launcher.command) }];
  edits.push(server.args?.layout ? insertElements(text, server.args.layout, 0, elements) : doc.addArgs(server, elements));
  return { action: 'wrap', edits, expected: { command: settings.launcher.command, args: [...prefix, status.command, ...status.args!] } };
}

/** The edits that take mcp-guard out of a guarded server: its command and args as they were before `wrap`. */
export function planUnwrap(text: string, doc: ConfigDocument, server: ServerSource): ServerAction {
  const status = serverStatus(server);
  if (status.transport === 'remote') return { action: 'remote' };
  if (!status.guard) return status.problem !== undefined ? { action: 'unsupported', reason: status.problem } : { action: 'not-guarded' };
  const at = status.guard.serverCommand;
  const args = server.args?.layout;
  if (at === undefined || !args) return { action: 'unsupported', reason: 'no server command follows mcp-guard\'s "--"; edit it by hand' };
  const rest = status.args!.slice(at + 1);
  const edits: TextEdit[] = [{ ...server.command!.span, content: spanText(text, args.elements[at]!) }];
  const addedByWrap = rest.length === 0 ? doc.addedArgsRemoval(server) : undefined;
  edits.push(addedByWrap ?? removeLeadingElements(args, at + 1));
  return { action: 'unwrap', edits, expected: { command: status.args![at]!, args: addedByWrap ? undefined : rest } };
}

import { isDeepStrictEqual } from 'node:util';
import { GuardError } from '../errors.js';
import type { ConfigDocument, ServerSource } from './config-document.js';
import { type FoundConfig, parseConfig } from './config-files.js';
import type { ConfigLocation } from './registry.js';
import { planUnwrap, planWrap, type ServerAction, type WrapSettings } from './server-transform.js';
import { applyTextEdits } from './text-edit.js';

/** What happened, or would happen, to one server of a file. */
export interface ServerOutcome {
  name: string;
  project?: string;
  action: ServerAction['action'] | 'skipped';
  /** For `unsupported`: why. */
  reason?: string;
  /** For `update-policy`: the policy it had. */
  from?: string;
  /** For `wrap` and `update-policy`: the policy it has now. */
  policy?: string;
}

/** One file's edit: its text before and after, and each selected server's outcome. */
export interface ConfigEdit {
  config: FoundConfig;
  after: string;
  outcomes: ServerOutcome[];
}

export type EditOperation =
  /** `settingsFor` gives a server's wrap settings, or undefined to leave it alone. */
  | { kind: 'wrap'; settingsFor: (config: FoundConfig, server: ServerSource) => WrapSettings | undefined }
  | { kind: 'unwrap' };

/**
 * Plans wrap or unwrap for the selected servers of one parsed config file, one server at a time
 * on the text the previous one left. Each result is parsed back and checked to hold exactly the
 * command and args intended; a wrapped server must also unwrap to the bytes it came from, or it
 * is left as it is (reported `unsupported`).
 */
export function planConfigEdit(config: FoundConfig, selected: (server: ServerSource) => boolean, operation: EditOperation): ConfigEdit {
  const location = config.location;
  let text = config.text;
  const outcomes: ServerOutcome[] = [];
  for (const original of config.document!.servers.filter(selected)) {
    const doc = parseConfig(text, location);
    const server = serverAt(doc, original.path);
    const base = { name: server.name, ...(server.project !== undefined ? { project: server.project } : {}) };
    const settings = operation.kind === 'wrap' ? operation.settingsFor(config, server) : undefined;
    if (operation.kind === 'wrap' && !settings) {
      outcomes.push({ ...base, action: 'skipped' });
      continue;
    }
    const plan = settings ? planWrap(text, doc, server, settings) : planUnwrap(text, doc, server);
    if (!plan.edits) {
      outcomes.push({ ...base, action: plan.action, ...(plan.action === 'unsupported' ? { reason: plan.reason } : {}) });
      continue;
    }
    const next = applyTextEdits(text, plan.edits);
    if (plan.action === 'wrap' || plan.action === 'unwrap') verifyServer(next, location, server.path, plan.expected);
    if (plan.action === 'wrap' && unwrapText(next, location, server.path) !== text) {
      outcomes.push({ ...base, action: 'unsupported', reason: 'its command and args are laid out in a way unwrap could not restore byte for byte; guard it by hand' });
      continue;
    }
    outcomes.push({ ...base, action: plan.action, ...(plan.action === 'update-policy' ? { from: plan.from } : {}), ...(settings ? { policy: settings.policy } : {}) });
    text = next;
  }
  return { config, after: text, outcomes };
}

function serverAt(doc: ConfigDocument, path: readonly string[]): ServerSource {
  const server = doc.servers.find((s) => isDeepStrictEqual(s.path, path));
  if (!server) throw new GuardError('EDIT_UNVERIFIED', `internal error: the server at ${path.join('.')} is gone after an edit; nothing was written; please report it`);
  return server;
}

function unwrapText(text: string, location: ConfigLocation, path: readonly string[]): string | undefined {
  const doc = parseConfig(text, location);
  const plan = planUnwrap(text, doc, serverAt(doc, path));
  return plan.edits ? applyTextEdits(text, plan.edits) : undefined;
}

/** The edited file must parse in its format and hold exactly the intended command and args. */
function verifyServer(text: string, location: ConfigLocation, path: readonly string[], expected: { command: string; args: string[] | undefined }): void {
  let server: ServerSource;
  try {
    server = serverAt(parseConfig(text, location), path);
  } catch (error) {
    throw new GuardError('EDIT_UNVERIFIED', `internal error: editing ${location.file} made it unreadable (${(error as Error).message}); nothing was written; please report it`);
  }
  if (server.value.command !== expected.command || !isDeepStrictEqual(server.value.args, expected.args)) {
    throw new GuardError('EDIT_UNVERIFIED', `internal error: the edited ${path[path.length - 1]} in ${location.file} does not read back as intended; nothing was written; please report it`);
  }
}

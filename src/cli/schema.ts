import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { GuardError, UsageError } from '../errors.js';
import { SCHEMA_FILE, SCHEMA_URL } from '../paths/schema-file.js';
import { type CliContext, diagnostic } from './context.js';
import { addOptions } from './register-options.js';

/** `schema`: the policy's JSON Schema, and where it is, for editors and `$schema`. */
export function register(program: Command, ctx: CliContext): void {
  const schema = program
    .command('schema')
    .description("print the policy file's JSON Schema on stdout, and its path on stderr");
  addOptions(schema, ['schemaPath', 'schemaUrl'])
    .addHelpText(
      'after',
      `
A policy names the schema with "$schema" (JSON) or a "# yaml-language-server: $schema=" comment
(YAML), so that editors complete and check it: a path relative to the policy file, or the
file: URL that --url prints. mcp-guard itself does not read "$schema".

Examples:
  mcp-guard schema > policy.schema.json
  mcp-guard schema --path
  mcp-guard schema --url`,
    )
    .action(async (options: { path?: boolean; url?: boolean }) => {
      if (options.path && options.url) throw new UsageError('--path and --url cannot be used together');
      if (options.path || options.url) {
        ctx.stdout.write(`${options.url ? SCHEMA_URL : SCHEMA_FILE}\n`);
        return;
      }
      const text = await readFile(SCHEMA_FILE, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new GuardError('SCHEMA_MISSING', `cannot read the schema at ${SCHEMA_FILE} (${error.code ?? error.message}); reinstall mcp-guard`, { exitCode: 2 });
      });
      ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      diagnostic(ctx, `the schema is ${SCHEMA_FILE} ("$schema": "${SCHEMA_URL}")`);
    });
}

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuleMeta } from '../../policy/checks/policy-rules.js';
import type { LintResult } from '../lint-files.js';

export interface SarifOptions {
  cwd: string;
  version: string;
  rules: readonly RuleMeta[];
}

/**
 * SARIF 2.1.0, for CI systems and code-scanning dashboards: one run, the tool's rules[] from the
 * same meta as the README table, results with regions (columns in UTF-16 code units, as the
 * positions are). Files inside the working directory get URIs relative to %SRCROOT%.
 */
export function formatSarif(results: LintResult[], options: SarifOptions): string {
  const ruleIndex = new Map(options.rules.map((r, i) => [r.id, i]));
  const root = pathToFileURL(options.cwd.endsWith(path.sep) ? options.cwd : options.cwd + path.sep).href;
  const location = (file: string): { uri: string; uriBaseId?: string } => {
    const relative = path.relative(options.cwd, file);
    if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) {
      return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
    }
    return { uri: pathToFileURL(file).href };
  };
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mcp-guard',
            semanticVersion: options.version,
            informationUri: 'https://www.npmjs.com/package/mcp-guard',
            rules: options.rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.description },
              fullDescription: { text: `${r.description} Example: ${r.example}` },
              help: { text: r.fix, markdown: `${r.fix}\n\nExample that triggers it: \`${r.example}\`` },
              defaultConfiguration: { level: sarifLevel(r.severity) },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: root } },
        artifacts: results.map((r) => ({ location: location(r.file) })),
        columnKind: 'utf16CodeUnits',
        results: results.flatMap((r, artifactIndex) =>
          r.problems.map((p) => ({
            ruleId: p.ruleId,
            ...(ruleIndex.has(p.ruleId) ? { ruleIndex: ruleIndex.get(p.ruleId) } : {}),
            level: sarifLevel(p.severity),
            message: { text: p.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { ...location(r.file), index: artifactIndex },
                  region: { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn },
                },
                logicalLocations: p.path === '' ? [] : [{ fullyQualifiedName: p.path, kind: 'member' }],
              },
            ],
            ...(p.suggestion !== undefined ? { properties: { suggestion: p.suggestion } } : {}),
          })),
        ),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** SARIF's levels: error, warning, note (an info of ours is a note). */
function sarifLevel(severity: 'error' | 'warning' | 'info'): 'error' | 'warning' | 'note' {
  return severity === 'info' ? 'note' : severity;
}

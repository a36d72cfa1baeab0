import type { LintResult } from '../lint-files.js';

/** Machine-readable results: one object per file with every diagnostic as data (ESLint's json shape, plus `path` and `suggestion`). */
export function formatLintJson(results: LintResult[]): string {
  return `${JSON.stringify(
    results.map((r) => ({
      filePath: r.file,
      errorCount: r.errorCount,
      warningCount: r.warningCount,
      infoCount: r.infoCount,
      messages: r.problems.map((p) => ({
        ruleId: p.ruleId,
        severity: p.severity,
        message: p.message,
        path: p.path,
        line: p.line,
        column: p.column,
        endLine: p.endLine,
        endColumn: p.endColumn,
        ...(p.suggestion !== undefined ? { suggestion: p.suggestion } : {}),
      })),
    })),
    null,
    2,
  )}\n`;
}

/** One finding about a policy file, with where it is: what lint prints and `run` refuses on (errors). */
export interface PolicyProblem {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** `info` is a note (lint shows it; it never fails a policy or counts as a warning). */
  severity: 'error' | 'warning' | 'info';
  /** Dotted path into the policy, e.g. `tools.python_venv.limits[0].window`. */
  path: string;
  /** Stable id of the check that found it (`unknown-key`, `invalid-window`...); documented in the README. */
  ruleId: string;
  message: string;
  /** The likely fix as a replacement value, when there is one ("did you mean"). */
  suggestion?: string;
}

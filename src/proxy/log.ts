/** How much a diagnostic matters: --quiet keeps errors only, --verbose adds debug. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Writes one diagnostic line for the person (stderr, prefixed `mcp-guard:`, by the CLI). */
export type Log = (level: LogLevel, message: string) => void;

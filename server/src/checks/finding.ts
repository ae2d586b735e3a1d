import type { SourceRange } from '../c/sourceRange';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/**
 * One diagnostic from the engine, free of LSP types so the CLI and the tests read the same
 * thing the editor shows. For ELF payloads the range is a pseudo-position (line 0) and `where`
 * says which structure it is about (a section, a `.livepatch.funcs` entry, a symbol).
 */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  file: string;
  range: SourceRange;
  where?: string;
  related?: Array<{ file: string; range: SourceRange; message: string }>;
  /** Input for code actions, opaque to everything but the check that made it. */
  data?: unknown;
}

export const startOfFile: SourceRange = { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };

/** The message with the structure it is about in front, as every output shows it. */
export const findingText = (finding: Finding): string => (finding.where ? `${finding.where}: ${finding.message}` : finding.message);

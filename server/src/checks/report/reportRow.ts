import { Finding, findingText } from '../finding';

/** One finding as every output format sees it: 1-based line and column, as compilers print them. */
export interface ReportRow {
  file: string;
  line: number;
  column: number;
  severity: Finding['severity'];
  code: string;
  message: string;
}

export const reportRow = (f: Finding): ReportRow => ({
  file: f.file,
  line: f.range.start.line + 1,
  column: f.range.start.column + 1,
  severity: f.severity,
  code: f.code,
  message: findingText(f),
});

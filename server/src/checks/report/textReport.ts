import { docsUrl } from '../catalogue';
import { Finding } from '../finding';
import { reportRow } from './reportRow';

/** `file:line:column: severity LPxxx: message`, then the docs page, as gcc-style tools print. */
export function textReport(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const row = reportRow(f);
      const url = docsUrl(f.code);
      return `${row.file}:${row.line}:${row.column}: ${row.severity} ${row.code}: ${row.message}${url ? `\n  see ${url}` : ''}`;
    })
    .join('\n');
}

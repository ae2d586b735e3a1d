import { Finding } from '../finding';
import { reportRow } from './reportRow';

/** A JSON list of {file, line, column, severity, code, message}, 1-based positions. */
export const jsonReport = (findings: readonly Finding[]): string => JSON.stringify(findings.map(reportRow), null, 2);

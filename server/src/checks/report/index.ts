// The output formats of `livepatch-lens check` (and any other command reporting findings).
export { reportRow } from './reportRow';
export { textReport } from './textReport';
export { jsonReport } from './jsonReport';
export { sarifReport } from './sarifReport';

export const reportFormats = ['text', 'json', 'sarif'] as const;
export type ReportFormat = (typeof reportFormats)[number];

import { Diagnostic, DiagnosticSeverity, DiagnosticTag, Range } from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import { docsUrl } from '../checks';
import type { Finding, Severity } from '../checks';
import { findingText, startOfFile } from '../checks/finding';
import type { SourceRange } from '../c/sourceRange';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspRange(range: SourceRange): Range {
  return { start: { line: range.start.line, character: range.start.column }, end: { line: range.end.line, character: range.end.column } };
}

export function fromLspRange(range: Range): SourceRange {
  return { start: { line: range.start.line, column: range.start.character }, end: { line: range.end.line, column: range.end.character } };
}

function toUri(file: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(file) ? file : pathToFileURL(file).href;
}

/** An engine finding as the editor shows it: its id linking to the docs page, related places attached. */
export function toLspDiagnostic(finding: Finding): Diagnostic {
  const href = docsUrl(finding.code);
  const diagnostic: Diagnostic = {
    range: toLspRange(finding.range),
    severity: severities[finding.severity],
    code: finding.code,
    source: 'livepatch-lens',
    message: findingText(finding),
  };
  if (href) diagnostic.codeDescription = { href };
  if (finding.related?.length) {
    diagnostic.relatedInformation = finding.related.map((r) => ({ location: { uri: toUri(r.file), range: toLspRange(r.range) }, message: r.message }));
  }
  if (finding.data !== undefined) diagnostic.data = finding.data;
  if (finding.severity === 'hint') diagnostic.tags = [DiagnosticTag.Unnecessary];
  return diagnostic;
}

/** A diagnostic of the server's own, no check's (so no id): a limit reached, an analysis that did not complete. */
export function serverDiagnostic(file: string, message: string, severity: DiagnosticSeverity = DiagnosticSeverity.Warning, range: SourceRange = startOfFile): Diagnostic {
  return { range: toLspRange(range), severity, source: 'livepatch-lens', message: `${file}: ${message}` };
}

import { Connection, Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { scenarioProblems } from '../scenario/problems';
import { OpenDocuments } from './openDocuments';

/** The language id of scenario files (package.json: `.xlp`, and the Linux scenarios' `.sh`). */
export const scenarioLanguage = 'livepatch-scenario';

const isScenario = (document: TextDocument) => document.uri.startsWith('file:') && (document.languageId === scenarioLanguage || document.uri.endsWith('.xlp'));

/**
 * Diagnostics of open scenario files: lines that do not parse, unknown commands, payloads and
 * modules that are not there. Parsing a script takes microseconds, so every version is checked
 * at once; closing it clears them (diagnostics.ts clears every closed document).
 */
export function registerScenarioDiagnostics(connection: Connection, documents: OpenDocuments): void {
  const publish = (document: TextDocument) => {
    if (!isScenario(document)) return;
    const diagnostics: Diagnostic[] = scenarioProblems(document.getText(), fileURLToPath(document.uri)).map((p) => ({
      range: { start: { line: p.line, character: p.start }, end: { line: p.line, character: p.end } },
      severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      source: 'livepatch-lens',
      message: p.message,
    }));
    void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  };
  documents.onDidOpen(publish);
  documents.onDidChange(publish);
}

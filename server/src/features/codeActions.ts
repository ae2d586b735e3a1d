import { CodeAction, CodeActionKind, CodeActionParams, Connection, Diagnostic, WorkspaceEdit } from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import { fixesFor } from '../checks/fixes';
import { guarded } from './guard';
import { fromLspRange, toLspRange } from './lspDiagnostics';
import type { OpenDocuments } from './openDocuments';
import type { TargetService } from './targetService';

/** Quick fixes for the findings whose check left the data a fix needs. */
export function registerCodeActions(connection: Connection, documents: OpenDocuments, target: TargetService): void {
  connection.onCodeAction(
    guarded(connection, 'codeAction', [] as CodeAction[], (params: CodeActionParams) => {
      const document = documents.get(params.textDocument.uri);
      if (!document) return [];
      const text = document.getText();
      return params.context.diagnostics
        .filter((diagnostic: Diagnostic) => diagnostic.source === 'livepatch-lens' && diagnostic.data !== undefined)
        .flatMap((diagnostic) =>
          fixesFor(
            { code: String(diagnostic.code), severity: 'error', message: diagnostic.message, file: document.uri, range: fromLspRange(diagnostic.range), data: diagnostic.data },
            text,
            target.facts(),
          ).map((fix) => ({
            title: fix.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: fix.preferred ?? false,
            edit: fix.createFile
              ? newFileEdit(fix.createFile)
              : { changes: { [document.uri]: fix.edits.map((edit) => ({ range: toLspRange(edit.range), newText: edit.newText })) } },
          })),
        );
    }),
  );
}

/** A new file with its text; `ignoreIfExists` keeps a skeleton the author already edited. */
function newFileEdit(file: { path: string; text: string }): WorkspaceEdit {
  const uri = file.path.startsWith('file:') ? file.path : pathToFileURL(file.path).href;
  return {
    documentChanges: [
      { kind: 'create', uri, options: { ignoreIfExists: true } },
      { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: file.text }] },
    ],
  };
}

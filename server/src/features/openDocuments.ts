import { Connection, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** One change of a didChange event, in offsets of the text as it was just before that change. */
export interface TextEditStep {
  textBefore: string;
  start: number;
  oldEnd: number;
  inserted: string;
}

type Listener<T extends unknown[]> = (...args: T) => void;

/**
 * The open documents, kept from didOpen/didChange/didClose. Unlike vscode-languageserver's
 * TextDocuments it hands listeners each change as an edit of the previous text, which the
 * incremental C parser needs; changes of one event are applied in order, each against the text
 * the previous one left.
 */
export class OpenDocuments {
  private readonly documents = new Map<string, TextDocument>();
  private readonly openListeners: Listener<[TextDocument]>[] = [];
  private readonly changeListeners: Listener<[TextDocument, TextEditStep[] | undefined]>[] = [];
  private readonly closeListeners: Listener<[string]>[] = [];

  listen(connection: Connection): void {
    connection.onDidOpenTextDocument(({ textDocument: { uri, languageId, version, text } }) => {
      const document = TextDocument.create(uri, languageId, version, text);
      this.documents.set(uri, document);
      for (const listener of this.openListeners) listener(document);
    });
    connection.onDidChangeTextDocument(({ textDocument: { uri, version }, contentChanges }) => {
      const current = this.documents.get(uri);
      if (!current) return;
      const { document, steps } = OpenDocuments.apply(current, contentChanges, version);
      this.documents.set(uri, document);
      for (const listener of this.changeListeners) listener(document, steps);
    });
    connection.onDidCloseTextDocument(({ textDocument: { uri } }) => {
      this.documents.delete(uri);
      for (const listener of this.closeListeners) listener(uri);
    });
  }

  /** Applies the changes one by one; `steps` is undefined when one of them replaced the whole text. */
  static apply(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): { document: TextDocument; steps: TextEditStep[] | undefined } {
    let steps: TextEditStep[] | undefined = [];
    for (const change of changes) {
      if ('range' in change) {
        steps?.push({ textBefore: document.getText(), start: document.offsetAt(change.range.start), oldEnd: document.offsetAt(change.range.end), inserted: change.text });
      } else {
        steps = undefined;
      }
      document = TextDocument.update(document, [change], version);
    }
    return { document, steps };
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  all(): TextDocument[] {
    return [...this.documents.values()];
  }

  onDidOpen(listener: Listener<[TextDocument]>): void {
    this.openListeners.push(listener);
  }

  onDidChange(listener: Listener<[TextDocument, TextEditStep[] | undefined]>): void {
    this.changeListeners.push(listener);
  }

  onDidClose(listener: Listener<[string]>): void {
    this.closeListeners.push(listener);
  }
}

/** The language a document is analysed as: its language id, or its extension when the client sent a generic one. */
export function languageOf(document: TextDocument): string {
  if (document.languageId === 'diff' || /\.(patch|diff)$/.test(document.uri)) return 'diff';
  if (document.languageId === 'c' || /\.[ch]$/.test(document.uri)) return 'c';
  return document.languageId;
}

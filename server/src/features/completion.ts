import { CompletionItem, CompletionItemKind, CompletionList, CompletionParams, Connection, MarkupKind } from 'vscode-languageserver';
import { FunctionNames } from '../target';
import { guarded } from './guard';
import { functionHoverMarkdown } from './hover';
import { languageOf, OpenDocuments } from './openDocuments';
import type { TargetService } from './targetService';

/** More than a person reads; the client asks again as the prefix grows (`isIncomplete`). */
const maxItems = 200;

/** The string being typed as a function name: `.old_name = "sched` in a klp_func, `.name = "xen_` in a livepatch_func. */
const nameValue = /\.(old_name|name)\s*=\s*"([A-Za-z0-9_.$]*)$/;

/**
 * Which livepatch struct an initializer at `offset` belongs to: the last one named before it.
 * A `.name` means a function only in a livepatch_func (in a klp_object it is a module).
 * lastIndexOf runs in native code: a few milliseconds even on a 100k-entry module.
 */
function enclosingStruct(text: string, offset: number): string | undefined {
  let best: { kind: string; at: number } | undefined;
  for (const kind of ['klp_func', 'klp_object', 'klp_patch', 'livepatch_func']) {
    const at = text.lastIndexOf(`struct ${kind}`, offset);
    if (at >= 0 && (!best || at > best.at)) best = { kind, at };
  }
  return best?.kind;
}

/**
 * Completion of the target function an entry patches, from a table of its function names
 * sorted once per index (target/functionNames.ts): a prefix search, so a vmlinux answers in
 * well under a millisecond. Names several functions share say that `old_sympos` picks one.
 */
export function registerCompletion(connection: Connection, documents: OpenDocuments, target: TargetService): void {
  connection.onCompletion(
    guarded(connection, 'completion', null as CompletionList | null, (params: CompletionParams): CompletionList | null => {
      const document = documents.get(params.textDocument.uri);
      const state = target.state;
      if (!document || languageOf(document) !== 'c' || state.state !== 'ready') return null;
      const { line, character } = params.position;
      const before = document.getText({ start: { line, character: 0 }, end: params.position });
      const typed = nameValue.exec(before);
      if (!typed) return null;
      const kind = enclosingStruct(document.getText(), document.offsetAt(params.position));
      if (kind !== (typed[1] === 'old_name' ? 'klp_func' : 'livepatch_func')) return null;
      const prefix = typed[2];
      const { functions, complete } = FunctionNames.of(state.index.tables).withPrefix(prefix, maxItems);
      const range = { start: { line, character: character - prefix.length }, end: params.position };
      const items = functions.map(({ name, count }): CompletionItem => ({
        label: name,
        kind: CompletionItemKind.Function,
        ...(count > 1
          ? { detail: `${count} functions of this name: set .old_sympos (1 to ${count}) to pick one`, labelDetails: { description: `${count}× — needs old_sympos` } }
          : {}),
        textEdit: { range, newText: name },
        data: { function: name, flavour: kind === 'klp_func' ? 'linux' : 'xen' },
      }));
      return { isIncomplete: !complete, items };
    }),
  );
  // The facts of one function, when the editor shows an item's documentation.
  connection.onCompletionResolve(
    guarded(connection, 'completionResolve', null as unknown as CompletionItem, (item: CompletionItem): CompletionItem => {
      const { function: name, flavour } = (item.data ?? {}) as { function?: string; flavour?: 'linux' | 'xen' };
      const facts = name ? target.facts()?.function(name) : undefined;
      if (!name || !facts) return item;
      const role = flavour === 'xen' ? 'for a Xen livepatch_func' : 'for a klp_func';
      return { ...item, documentation: { kind: MarkupKind.Markdown, value: functionHoverMarkdown(name, role, facts, target.targetName(), []) } };
    }),
  );
}

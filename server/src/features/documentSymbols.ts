import { Connection, DocumentSymbol, DocumentSymbolParams, SymbolKind } from 'vscode-languageserver';
import { ConstructKind, constructDetail, findLivepatchConstructs, LivepatchConstruct } from '../c/livepatchConstructs';
import { CDocuments } from './cDocuments';
import { guarded } from './guard';
import { toLspRange } from './lspDiagnostics';

const symbolKinds: Record<ConstructKind, SymbolKind> = {
  livepatch_func: SymbolKind.Struct,
  livepatch_hook: SymbolKind.Event,
  patch_callback: SymbolKind.Event,
  kpatch_directive: SymbolKind.Key,
  klp_func: SymbolKind.Function,
  klp_object: SymbolKind.Module,
  klp_patch: SymbolKind.Package,
};


export function toDocumentSymbol(construct: LivepatchConstruct): DocumentSymbol {
  const symbol: DocumentSymbol = {
    name: construct.name,
    detail: constructDetail(construct) || construct.kind,
    kind: construct.entries.length ? SymbolKind.Array : symbolKinds[construct.kind],
    range: toLspRange(construct.range),
    selectionRange: toLspRange(construct.selectionRange),
  };
  if (construct.entries.length) symbol.children = construct.entries.map(toDocumentSymbol);
  return symbol;
}

export function registerDocumentSymbols(connection: Connection, cDocuments: CDocuments): void {
  connection.onDocumentSymbol(
    guarded(connection, 'documentSymbol', [] as DocumentSymbol[], async (params: DocumentSymbolParams) => {
      const parsed = await cDocuments.treeOf(params.textDocument.uri);
      return parsed ? findLivepatchConstructs(parsed.tree).map(toDocumentSymbol) : [];
    }),
  );
}

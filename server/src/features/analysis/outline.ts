import { DocumentSymbol, SymbolKind } from 'vscode-languageserver';
import { ConstructKind, constructDetail, LivepatchConstruct } from '../../c/livepatchConstructs';
import { limits, settingToRaise } from '../../limits';
import { toLspRange } from '../lspDiagnostics';

const symbolKinds: Record<ConstructKind, SymbolKind> = {
  livepatch_func: SymbolKind.Struct,
  livepatch_hook: SymbolKind.Event,
  patch_callback: SymbolKind.Event,
  kpatch_directive: SymbolKind.Key,
  klp_func: SymbolKind.Function,
  klp_object: SymbolKind.Module,
  klp_patch: SymbolKind.Package,
};

function symbolOf(construct: LivepatchConstruct, children: DocumentSymbol[] | undefined): DocumentSymbol {
  const symbol: DocumentSymbol = {
    name: construct.name,
    detail: constructDetail(construct) || construct.kind,
    kind: construct.entries.length ? SymbolKind.Array : symbolKinds[construct.kind],
    range: toLspRange(construct.range),
    selectionRange: toLspRange(construct.selectionRange),
  };
  if (children) symbol.children = children;
  return symbol;
}

/** Stands for the entries past the limit, where the first of them is written. */
function moreSymbol(count: number, first: LivepatchConstruct, file: string, limit: number): DocumentSymbol {
  const at = toLspRange(first.selectionRange);
  return {
    name: `${count} more`,
    detail: `${file}: the outline stops at ${limit} symbols; ${settingToRaise('outlineSymbols')} to see them all`,
    kind: SymbolKind.Null,
    range: at,
    selectionRange: at,
  };
}

/**
 * The outline of a C document, at most `limits().outlineSymbols` symbols: an array with 100k
 * entries is no use in an outline, and sending it would hold up every other request. A list
 * cut short ends with one symbol saying how many are left out.
 */
export function outlineOf(constructs: LivepatchConstruct[], file: string): DocumentSymbol[] {
  const limit = limits().outlineSymbols;
  let room = limit;
  const take = (items: LivepatchConstruct[]): DocumentSymbol[] => {
    const shown = items.slice(0, Math.max(room, 0));
    room -= shown.length;
    const symbols = shown.map((c) => symbolOf(c, c.entries.length ? take(c.entries) : undefined));
    if (shown.length < items.length) symbols.push(moreSymbol(items.length - shown.length, items[shown.length], file, limit));
    return symbols;
  };
  return take(constructs);
}

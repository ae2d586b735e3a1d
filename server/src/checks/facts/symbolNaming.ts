/**
 * How a patch names a function of the image: by the symbol gcc emitted, which is not always the
 * source name. ipa-sra, ipa-cp and partial inlining make clones (`foo.isra.0`, `foo.constprop.0`,
 * `foo.part.0`) and the hot/cold split a `foo.cold` part; static functions of one name in several
 * files are told apart by klp's `old_sympos`, their position among the symbols of that name.
 */

/** One of gcc's clone or split suffixes, with its number when it has one. */
const cloneSuffix = /\.(?:isra|constprop|part|cold|localalias|lto_priv)(?:\.\d+)?/;

/** A symbol as a patch must name it: its name and, when several symbols share it, its sympos. */
export interface SymbolName {
  /** The name as the image's symbol table spells it. */
  function: string;
  /** klp's `old_sympos` when the name is not unique in the image. */
  sympos?: number;
}

/** Whether the symbol is a clone or a split part of a source function. */
export function isClone(symbol: string): boolean {
  return cloneSuffix.test(symbol);
}

/** The source function a clone or part was made from (the name itself when it is neither). */
export function sourceName(symbol: string): string {
  const at = cloneSuffix.exec(symbol);
  return at ? symbol.slice(0, at.index) : symbol;
}

/** A cold part is no function of its own: patching means replacing the function it split from. */
function isColdPart(symbol: string): boolean {
  return /\.cold(?:\.\d+)?$/.test(symbol);
}

/** The symbol a klp_func must name to replace the code of `symbol` (a cold part's parent). */
export function patchableSymbol(symbol: string): string {
  return isColdPart(symbol) ? symbol.replace(/\.cold(?:\.\d+)?$/, '') : symbol;
}

/** The name as messages show it (`suffix` after it: `()`), with its sympos when not unique, and a cold part's parent. */
export function symbolLabel(s: SymbolName, suffix = ''): string {
  const cold = isColdPart(s.function) ? ` (the cold part of ${patchableSymbol(s.function)})` : '';
  return `${s.function}${suffix}${s.sympos ? ` (old_sympos ${s.sympos})` : ''}${cold}`;
}

/** The klp_func fields that name the symbol. */
export function klpFields(s: SymbolName): string {
  return `.old_name = "${patchableSymbol(s.function)}"${s.sympos ? `, .old_sympos = ${s.sympos}` : ''}`;
}

/**
 * The sentence a message adds when it names clones or same-named symbols, so the author
 * writes what the kernel resolves: klp_find_object_symbol() matches old_name exactly and counts
 * old_sympos in kallsyms order; kpatch-build and klp-build compare objects and name both for you.
 */
export function namingNote(symbols: readonly SymbolName[]): string {
  const clones = [...new Set(symbols.map((s) => s.function).filter(isClone))];
  const positioned = symbols.some((s) => s.sympos);
  if (!clones.length && !positioned) return '';
  const parts: string[] = [];
  if (clones.length)
    parts.push(
      `${clones.join(', ')} ${clones.length === 1 ? 'is a gcc clone or part' : 'are gcc clones or parts'}: a klp_func names the clone itself (${klpFields({ function: clones[0] })}), a .cold part by the function it split from`,
    );
  if (positioned) parts.push(`names shared by several symbols need .old_sympos, their position in kallsyms order`);
  return ` Name them as the image does: ${parts.join('; ')}. kpatch-build and klp-build handle clone suffixes and positions themselves.`;
}

import { FunctionNames, type FunctionDefinition, type TargetIndex, type TargetSymbol } from '../../target';
import type { FactsProvider, FunctionFacts, FunctionScope, StructFacts } from './functionFacts';
import { ExecutionHazard, executionHazards, Patcher } from './executionContexts';
import { exportVersions } from './exportVersions';
import { xenPatchSite } from './xenPatchSite';

/** Facts read from the target's symbols and DWARF: exact, so messages may say "is inlined". */
export function targetFacts(index: TargetIndex): FactsProvider {
  return {
    basis: 'target',
    exportVersions: () => exportVersions(index, undefined),
    function(name: string, scope: FunctionScope = {}): FunctionFacts | undefined {
      if (!index.knowsFunction(name)) return undefined;
      const all = index.definitions(name);
      const chosen = pick(index, name, all, scope);
      const units = new Set(all.map((d) => d.unit).filter(Boolean));
      const chosenUnits = new Set(chosen.map((d) => d.unit).filter(Boolean));
      // A static function is inlined only in its own unit: one unit among several says which copies are this one's.
      const unit = units.size > 1 && chosenUnits.size === 1 ? [...chosenUnits][0] : undefined;
      const symbols = index.symbolsNamed(name).filter((s) => s.kind === 'function');
      const picked = chosen.flatMap((d) => (d.symbol ? [d.symbol] : []));
      // The scope's symbol when it picked some, else sympos 1; a clone when the name itself has no symbol.
      const first = (chosen.length < all.length ? picked.find((s) => s.name === name) : symbols[0]) ?? picked[0];
      const { flavour } = index.flavour;
      const holderSympos = (symbol: TargetSymbol | undefined): number | undefined => (symbol && index.symbolsNamed(symbol.name).length > 1 ? symbol.sympos : undefined);
      // prettier-ignore
      return {
        name,
        basis: 'target',
        count: symbols.length,
        flavour,
        ...(first ? { section: first.section, address: first.address, size: first.size, endbr: first.endbr } : {}),
        ...(first && flavour !== 'linux' ? { xenPatchSite: xenPatchSite(first) } : {}),
        // fentry is Linux's patch site: a hypervisor has none and needs none.
        notrace: flavour === 'xen' ? false : first ? !first.traceable : true,
        instances: symbols.map((s) => ({ address: s.address, size: s.size, section: s.section, unit: index.unitOf(s) ?? '' })),
        outOfLine: index.isOutOfLine(name),
        inlinedInto: index.inlinedInto(name, unit).flatMap(({ function: fn, symbol, sites }) => {
          const sympos = holderSympos(symbol);
          const holder = { function: fn, ...(sympos ? { sympos } : {}) };
          return sites.length ? sites.map((site) => ({ ...holder, file: site.file, line: site.line })) : [holder];
        }),
        symbols: picked.map((s) => ({ name: s.name, sympos: s.sympos, count: index.symbolsNamed(s.name).length, unit: index.unitOf(s) ?? '' })),
        ...(unit ? { unit } : {}),
        units: units.size,
        ...(first ? { executionHazards: hazardsByPatcher(index, first) } : {}),
      };
    },
    struct(name: string): StructFacts | undefined {
      const layout = index.struct(name);
      if (!layout) return undefined;
      // prettier-ignore
      return {
        name,
        basis: 'target',
        size: Number(layout.size),
        members: layout.members.map((m) => ({ name: m.name, offset: Number(m.offset), size: Number(m.size), type: m.type })),
      };
    },
    similarFunctions: (name: string): string[] => FunctionNames.of(index.tables).nearest(name),
  };
}

/**
 * The definitions the scope means: those of the patched file (its path against the units'
 * DW_AT_name), or the unit of the klp `old_sympos` symbol; all of them when it says nothing.
 */
function pick(index: TargetIndex, name: string, all: FunctionDefinition[], scope: FunctionScope): FunctionDefinition[] {
  if (scope.sympos) {
    const symbol = index.symbol(name, scope.sympos);
    if (symbol?.kind !== 'function') return all;
    const unit = index.unitOf(symbol);
    return all.filter((d) => d.symbol === symbol || (unit !== undefined && d.unit === unit));
  }
  return scope.file ? index.definitions(name, scope.file) : all;
}

/** The hazards for each way this image is patched: Xen's, Linux's, or both for the sample target. */
function hazardsByPatcher(index: TargetIndex, symbol: TargetSymbol): Partial<Record<Patcher, ExecutionHazard[]>> {
  const { flavour } = index.flavour;
  const patchers: Patcher[] = flavour === 'either' ? ['xen', 'linux'] : [flavour];
  return Object.fromEntries(patchers.map((patcher) => [patcher, executionHazards(index, symbol, patcher)]));
}

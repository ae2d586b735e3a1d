import { FunctionNames, type TargetIndex } from '../../target';
import type { FactsProvider, FunctionFacts, StructFacts } from './functionFacts';
import { xenPatchSite } from './xenPatchSite';

/** Facts read from the target's symbols and DWARF: exact, so messages may say "is inlined". */
export function targetFacts(index: TargetIndex): FactsProvider {
  return {
    basis: 'target',
    function(name: string): FunctionFacts | undefined {
      if (!index.knowsFunction(name)) return undefined;
      const symbols = index.symbolsNamed(name).filter((s) => s.kind === 'function');
      const first = symbols[0];
      const { flavour } = index.flavour;
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
        instances: symbols.map((s) => ({ address: s.address, size: s.size, section: s.section })),
        outOfLine: index.isOutOfLine(name),
        inlinedInto: index.inlinedInto(name).flatMap(({ function: fn, sites }) =>
          sites.length ? sites.map((site) => ({ function: fn, file: site.file, line: site.line })) : [{ function: fn }],
        ),
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

import { DwarfColumnFacts, DwarfSubprogram } from '../elf';
import { StringTable } from './stringTable';
import { allocateColumns, DwarfTables, noAddress, noRow, rowCount } from './tables';

/** One scan's facts as columns, in the worker that scanned them (so only typed arrays cross threads). */
export function dwarfTables(facts: DwarfColumnFacts): DwarfTables {
  const strings = new StringTable();
  // Only concrete subprograms get a row: every inlined copy sits in one of them.
  const concreteRow = new Uint32Array(facts.subprograms.length).fill(noRow);
  const concrete: DwarfSubprogram[] = [];
  facts.subprograms.forEach((s, n) => {
    if (!s.concrete) return;
    concreteRow[n] = concrete.length;
    concrete.push(s);
  });
  const functions = allocateColumns('functions', concrete.length);
  concrete.forEach((s, row) => {
    functions.name[row] = strings.id(s.name);
    functions.unit[row] = strings.id(s.unit);
    functions.address[row] = s.lowPc ?? noAddress;
    functions.symbol[row] = noRow;
  });
  const sites = facts.inlines;
  const inlines = allocateColumns('inlines', sites.callee.length);
  inlines.symbol.fill(noRow);
  for (let row = 0; row < sites.callee.length; row++) {
    inlines.callee[row] = strings.id(sites.callee[row]);
    inlines.function[row] = strings.id(sites.function[row]);
    inlines.caller[row] = strings.id(sites.caller[row]);
    inlines.file[row] = strings.id(sites.callFile[row]);
    inlines.line[row] = sites.callLine[row];
    inlines.address[row] = sites.address[row] ?? noAddress;
    inlines.func[row] = concreteRow[sites.func[row]];
  }
  const layouts = [...facts.structs.values()];
  const structs = allocateColumns('structs', layouts.length);
  const members = allocateColumns(
    'members',
    layouts.reduce((n, s) => n + s.members.length, 0),
  );
  let member = 0;
  layouts.forEach((layout, row) => {
    structs.name[row] = strings.id(layout.name);
    structs.kind[row] = layout.kind === 'union' ? 1 : 0;
    structs.size[row] = layout.size;
    structs.firstMember[row] = member;
    structs.memberCount[row] = layout.members.length;
    for (const m of layout.members) {
      members.name[member] = strings.id(m.name);
      members.offset[member] = m.offset;
      members.size[member] = m.size;
      members.type[member] = strings.id(m.type);
      members.bitSize[member] = m.bitSize ?? -1;
      members.bitOffset[member] = m.bitOffset ?? -1;
      member++;
    }
  });
  return { strings: strings.strings, inlines, functions, structs, members };
}

/**
 * Joins the slices' tables in slice order into ids of `strings`. Slices cover .debug_info in
 * order, so "first struct definition wins, a struct over a union" matches one sequential scan.
 */
export function mergeDwarfTables(parts: DwarfTables[], strings: StringTable): Omit<DwarfTables, 'strings'> {
  const ids = parts.map((part) => part.strings.map((text) => strings.id(text)));
  const sites = parts.reduce((n, p) => n + rowCount(p.inlines), 0);
  const inlines = allocateColumns('inlines', sites);
  const functions = allocateColumns(
    'functions',
    parts.reduce((n, p) => n + rowCount(p.functions), 0),
  );
  let row = 0;
  let functionBase = 0;
  parts.forEach((part, p) => {
    const map = ids[p];
    const from = part.inlines;
    inlines.line.set(from.line, row);
    inlines.address.set(from.address, row);
    inlines.symbol.set(from.symbol, row);
    for (let i = 0; i < from.callee.length; i++, row++) {
      inlines.callee[row] = map[from.callee[i]];
      inlines.function[row] = map[from.function[i]];
      inlines.caller[row] = map[from.caller[i]];
      inlines.file[row] = map[from.file[i]];
      inlines.func[row] = from.func[i] + functionBase;
    }
    const fromFunctions = part.functions;
    functions.address.set(fromFunctions.address, functionBase);
    functions.symbol.set(fromFunctions.symbol, functionBase);
    for (let f = 0; f < fromFunctions.name.length; f++, functionBase++) {
      functions.name[functionBase] = map[fromFunctions.name[f]];
      functions.unit[functionBase] = map[fromFunctions.unit[f]];
    }
  });

  // Winning struct per name, as [part, row], in order of first appearance.
  const chosen = new Map<number, [number, number]>();
  parts.forEach((part, p) => {
    for (let s = 0; s < part.structs.name.length; s++) {
      const name = ids[p][part.structs.name[s]];
      const known = chosen.get(name);
      if (!known || (parts[known[0]].structs.kind[known[1]] === 1 && part.structs.kind[s] === 0)) chosen.set(name, [p, s]);
    }
  });
  const structs = allocateColumns('structs', chosen.size);
  const memberRows = [...chosen.values()].reduce((n, [p, s]) => n + parts[p].structs.memberCount[s], 0);
  const members = allocateColumns('members', memberRows);
  let out = 0;
  let member = 0;
  for (const [name, [p, s]] of chosen) {
    const from = parts[p];
    const first = from.structs.firstMember[s];
    const count = from.structs.memberCount[s];
    structs.name[out] = name;
    structs.kind[out] = from.structs.kind[s];
    structs.size[out] = from.structs.size[s];
    structs.firstMember[out] = member;
    structs.memberCount[out] = count;
    for (let m = first; m < first + count; m++, member++) {
      members.name[member] = ids[p][from.members.name[m]];
      members.offset[member] = from.members.offset[m];
      members.size[member] = from.members.size[m];
      members.type[member] = ids[p][from.members.type[m]];
      members.bitSize[member] = from.members.bitSize[m];
      members.bitOffset[member] = from.members.bitOffset[m];
    }
    out++;
  }
  return { inlines, functions, structs, members };
}

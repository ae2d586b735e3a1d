import { DwarfColumnFacts } from '../elf';
import { StringTable } from './stringTable';
import { allocateColumns, DwarfTables, noAddress, rowCount } from './tables';

/** One scan's facts as columns, in the worker that scanned them (so only typed arrays cross threads). */
export function dwarfTables(facts: DwarfColumnFacts): DwarfTables {
  const strings = new StringTable();
  const sites = facts.inlines;
  const inlines = allocateColumns('inlines', sites.callee.length);
  for (let row = 0; row < sites.callee.length; row++) {
    inlines.callee[row] = strings.id(sites.callee[row]);
    inlines.function[row] = strings.id(sites.function[row]);
    inlines.caller[row] = strings.id(sites.caller[row]);
    inlines.file[row] = strings.id(sites.callFile[row]);
    inlines.line[row] = sites.callLine[row];
    inlines.address[row] = sites.address[row] ?? noAddress;
  }
  const concreteIds = new Set<number>();
  for (const s of facts.subprograms) if (s.concrete) concreteIds.add(strings.id(s.name));
  const concrete = { name: Uint32Array.from(concreteIds) };
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
  return { strings: strings.strings, inlines, concrete, structs, members };
}

/**
 * Joins the slices' tables in slice order into ids of `strings`. Slices cover .debug_info in
 * order, so "first struct definition wins, a struct over a union" matches one sequential scan.
 */
export function mergeDwarfTables(parts: DwarfTables[], strings: StringTable): Omit<DwarfTables, 'strings'> {
  const ids = parts.map((part) => part.strings.map((text) => strings.id(text)));
  const sites = parts.reduce((n, p) => n + rowCount(p.inlines), 0);
  const inlines = allocateColumns('inlines', sites);
  let row = 0;
  parts.forEach((part, p) => {
    const map = ids[p];
    const from = part.inlines;
    inlines.line.set(from.line, row);
    inlines.address.set(from.address, row);
    for (let i = 0; i < from.callee.length; i++, row++) {
      inlines.callee[row] = map[from.callee[i]];
      inlines.function[row] = map[from.function[i]];
      inlines.caller[row] = map[from.caller[i]];
      inlines.file[row] = map[from.file[i]];
    }
  });

  const concreteIds = new Set<number>();
  parts.forEach((part, p) => part.concrete.name.forEach((id) => concreteIds.add(ids[p][id])));

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
  return { inlines, concrete: { name: Uint32Array.from(concreteIds) }, structs, members };
}

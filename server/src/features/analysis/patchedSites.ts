import { rangeContains, type SourcePosition, type SourceRange } from '../../c/sourceRange';
import type { PatchedFunction } from '../../checks/source/patchedFunctions';

/**
 * The functions a C document patches, where each is named and what patches it, in columns:
 * a patch module may have 100k entries, and copying that many objects from the worker costs the
 * main thread more than a request may wait; a string and two typed arrays copy in a millisecond.
 */
export interface PatchedSitesData {
  /** Every name, concatenated; name i is names[nameEnds[i-1], nameEnds[i]). */
  names: string;
  nameEnds: Int32Array;
  /** Per site: start line, start column, end line, end column, role index, field (SiteField). */
  rows: Int32Array;
  /** "patched by this klp_func (object vmlinux)", ... : few distinct values. */
  roles: string[];
}

/**
 * What a site's range covers, for the patched function `name`: the name itself (`old_name`,
 * Xen's `.name`), the `.old_addr` symbol, the `.new_func` / `.new_addr` replacement, or where
 * the replacement is defined in this file.
 */
const siteFields = ['name', 'oldAddr', 'replacement', 'replacementDefinition'] as const;
export type SiteField = (typeof siteFields)[number];

const width = 6;

export const noPatchedSites: PatchedSitesData = { names: '', nameEnds: new Int32Array(0), rows: new Int32Array(0), roles: [] };

function roleOf(patched: PatchedFunction): string {
  return `patched by this ${patched.flavour === 'klp' ? `klp_func (object ${patched.object})` : 'Xen livepatch_func'}`;
}

/** Which entry a site's role (roleOf) speaks for, hence which emulator runtime patches its function. */
export const siteFlavour = (site: PatchedSite): 'klp' | 'xen' => (site.role.includes('Xen livepatch_func') ? 'xen' : 'klp');

/** The function a `.new_func` / `.new_addr` value names: `fix`, `&fix`, `(void *)fix`. */
function replacementName(patched: PatchedFunction): string | undefined {
  const value = patched.entry.fields[patched.flavour === 'klp' ? 'new_func' : 'new_addr'];
  return value ? /([A-Za-z_]\w*)\s*$/.exec(value)?.[1] : undefined;
}

/** `definitions`: where the file defines each function (c/definedFunctions.ts), for the replacements defined here. */
export function encodePatchedSites(patched: PatchedFunction[], definitions: ReadonlyMap<string, SourceRange> = new Map()): PatchedSitesData {
  const roles: string[] = [];
  const roleIndex = new Map<string, number>();
  const names: string[] = [];
  const nameEnds: number[] = [];
  const rows: number[] = [];
  let end = 0;
  const push = (name: string, range: SourceRange, role: number, field: SiteField) => {
    names.push(name);
    nameEnds.push((end += name.length));
    rows.push(range.start.line, range.start.column, range.end.line, range.end.column, role, siteFields.indexOf(field));
  };
  for (const p of patched) {
    const role = roleOf(p);
    let index = roleIndex.get(role);
    if (index === undefined) roleIndex.set(role, (index = roles.push(role) - 1));
    push(p.name, p.range, index, 'name');
    const ranges = p.entry.fieldRanges;
    if (ranges.old_addr && ranges.old_addr !== p.range) push(p.name, ranges.old_addr, index, 'oldAddr');
    const replacement = ranges[p.flavour === 'klp' ? 'new_func' : 'new_addr'];
    if (replacement) push(p.name, replacement, index, 'replacement');
    const defined = definitions.get(replacementName(p) ?? '');
    if (defined) push(p.name, defined, index, 'replacementDefinition');
  }
  return { names: names.join(''), nameEnds: Int32Array.from(nameEnds), rows: Int32Array.from(rows), roles };
}

export interface PatchedSite {
  name: string;
  role: string;
  range: SourceRange;
  field: SiteField;
}

function siteAt(sites: PatchedSitesData, i: number): PatchedSite {
  const o = i * width;
  const { rows } = sites;
  return {
    name: sites.names.slice(i ? sites.nameEnds[i - 1] : 0, sites.nameEnds[i]),
    role: sites.roles[rows[o + 4]],
    range: { start: { line: rows[o], column: rows[o + 1] }, end: { line: rows[o + 2], column: rows[o + 3] } },
    field: siteFields[rows[o + 5]],
  };
}

/** The site written at `at`, if any. */
export function patchedSiteAt(sites: PatchedSitesData, at: SourcePosition): PatchedSite | undefined {
  const { rows } = sites;
  for (let i = 0; i < sites.nameEnds.length; i++) {
    const o = i * width;
    if (rangeContains({ start: { line: rows[o], column: rows[o + 1] }, end: { line: rows[o + 2], column: rows[o + 3] } }, at)) return siteAt(sites, i);
  }
  return undefined;
}

/** Every site, in the order written (the entries' order). */
export function allPatchedSites(sites: PatchedSitesData): PatchedSite[] {
  return Array.from({ length: sites.nameEnds.length }, (_, i) => siteAt(sites, i));
}

import { rangeContains, type SourcePosition, type SourceRange } from '../../c/sourceRange';
import type { PatchedFunction } from '../../checks/source/patchedFunctions';

/**
 * The functions a C document patches, where each name is written and what patches it, in columns:
 * a patch module may have 100k entries, and copying that many objects from the worker costs the
 * main thread more than a request may wait; a string and two typed arrays copy in a millisecond.
 */
export interface PatchedSitesData {
  /** Every name, concatenated; name i is names[nameEnds[i-1], nameEnds[i]). */
  names: string;
  nameEnds: Int32Array;
  /** Per site: start line, start column, end line, end column, role index. */
  rows: Int32Array;
  /** "patched by this klp_func (object vmlinux)", ... : few distinct values. */
  roles: string[];
}

const width = 5;

export const noPatchedSites: PatchedSitesData = { names: '', nameEnds: new Int32Array(0), rows: new Int32Array(0), roles: [] };

function roleOf(patched: PatchedFunction): string {
  return `patched by this ${patched.flavour === 'klp' ? `klp_func (object ${patched.object})` : 'Xen livepatch_func'}`;
}

export function encodePatchedSites(patched: PatchedFunction[]): PatchedSitesData {
  const roles: string[] = [];
  const roleIndex = new Map<string, number>();
  const nameEnds = new Int32Array(patched.length);
  const rows = new Int32Array(patched.length * width);
  let end = 0;
  patched.forEach((p, i) => {
    const role = roleOf(p);
    let index = roleIndex.get(role);
    if (index === undefined) roleIndex.set(role, (index = roles.push(role) - 1));
    end += p.name.length;
    nameEnds[i] = end;
    const o = i * width;
    rows[o] = p.range.start.line;
    rows[o + 1] = p.range.start.column;
    rows[o + 2] = p.range.end.line;
    rows[o + 3] = p.range.end.column;
    rows[o + 4] = index;
  });
  return { names: patched.map((p) => p.name).join(''), nameEnds, rows, roles };
}

interface PatchedSite {
  name: string;
  role: string;
  range: SourceRange;
}

/** The patched function whose name is written at `at`, if any. */
export function patchedSiteAt(sites: PatchedSitesData, at: SourcePosition): PatchedSite | undefined {
  const { rows } = sites;
  for (let i = 0; i < sites.nameEnds.length; i++) {
    const o = i * width;
    const range = { start: { line: rows[o], column: rows[o + 1] }, end: { line: rows[o + 2], column: rows[o + 3] } };
    if (rangeContains(range, at)) return { name: sites.names.slice(i ? sites.nameEnds[i - 1] : 0, sites.nameEnds[i]), role: sites.roles[rows[o + 4]], range };
  }
  return undefined;
}

/**
 * Whether a compile unit's DW_AT_name and a patch's path name the same source file. Kbuild
 * names units from the top of the tree (`kernel/sched/core.c`), other builds absolutely or from
 * `./`; a patch names files from the top of its tree: one must end with the other, at a `/`.
 */
export function sameSourceFile(unit: string, file: string): boolean {
  const a = unit.replace(/^(\.\/)+/, '');
  const b = file.replace(/^(\.\/)+/, '');
  if (a === '' || b === '') return false;
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

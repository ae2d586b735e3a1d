import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { LineFileTable } from '../../../../server/out/elf/dwarf/lineFiles';

// Debian's kernel is built with a relative DW_AT_comp_dir; directory 0 of a DWARF 5 line table
// repeats it, the others are relative to it unless absolute (readelf --debug-dump=line).
const debian = (): LineFileTable =>
  new LineFileTable(
    'debian/build/build_amd64_none_amd64',
    ['debian/build/build_amd64_none_amd64', 'kernel/sched', 'include/linux/../linux', '/usr/lib/gcc/x86_64-linux-gnu/12/include'],
    [
      { path: 'kernel/sched/core.c', dir: 0 },
      { path: 'sched.h', dir: 1 },
      { path: 'list.h', dir: 2 },
      { path: 'stddef.h', dir: 3 },
    ],
  );

test("call files join the compilation directory, the file's directory and its name, never the working directory", () => {
  const expected = [
    'debian/build/build_amd64_none_amd64/kernel/sched/core.c',
    'debian/build/build_amd64_none_amd64/kernel/sched/sched.h',
    'debian/build/build_amd64_none_amd64/include/linux/list.h',
    '/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h',
  ];
  const cwd = process.cwd();
  try {
    for (const dir of [cwd, os.tmpdir(), '/']) {
      process.chdir(dir);
      assert.deepEqual(
        [0, 1, 2, 3].map((i) => debian().name(i)),
        expected,
        `from ${dir}`,
      );
    }
  } finally {
    process.chdir(cwd);
  }
});

test('an absolute compilation directory prefixes relative directories; a DWARF 4 table is given it as directory 0', () => {
  const table = new LineFileTable('/src/linux', ['/src/linux', 'include/linux', '/abs'], [undefined, { path: 'a.h', dir: 1 }, { path: 'b.h', dir: 2 }, { path: 'c.c', dir: 0 }]);
  assert.deepEqual(
    [1, 2, 3].map((i) => table.name(i)),
    ['/src/linux/include/linux/a.h', '/abs/b.h', '/src/linux/c.c'],
  );
  assert.equal(table.name(0), undefined);
  assert.equal(table.name(9), undefined);
});

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyzePatch } from '../../../../server/out/checks/patch';
import { linuxSourceTree, noLinuxSource } from '../../support/linuxSourceTree';
import { diffOutput } from '../diff/oracle';

// Optional: real kernel files with preprocessor conditionals, from Debian's linux-source-6.1.
// Each got LP203 ("does not parse after the patch") for an #include added above its #if blocks
// before conditionals were chosen (bench/conditionals.bench.mjs measures all of kernel/ mm/ fs/).
const skip = noLinuxSource;
let tree: string;
const files = ['kernel/sched/core.c', 'kernel/fork.c', 'kernel/cred.c', 'mm/shmem.c', 'mm/vmstat.c', 'mm/highmem.c'];
const debianConfig = '/usr/src/linux-headers-6.1.0-56-amd64/.config';

/** diff -u of the file with an #include added where the bench adds it: above the first #if among the includes, else after them. */
function includePatch(file: string): string {
  const lines = readFileSync(path.join(tree, file), 'utf8').split('\n');
  const code = lines.findIndex((l) => l.includes('{'));
  const head = lines.slice(0, code);
  const firstIf = head.findIndex((l) => /^#\s*if/.test(l));
  const lastInclude = head.reduce((last, l, i) => (/^#\s*include/.test(l) ? i : last), -1);
  const at = firstIf >= 0 && firstIf < lastInclude ? firstIf : lastInclude + 1;
  const dir = mkdtempSync(path.join(tmpdir(), 'lp-real-conditionals-'));
  try {
    writeFileSync(path.join(dir, 'b'), [...lines.slice(0, at), '#include <linux/kernel.h>', ...lines.slice(at)].join('\n'));
    return diffOutput('diff', ['-u', '--label', `a/${file}`, '--label', `b/${file}`, path.join(tree, file), path.join(dir, 'b')], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('real kernel files with #if blocks still parse after an #include is added above them, with and without a configuration', { skip }, async () => {
  tree = linuxSourceTree();
  const configs = [undefined, ...(existsSync(debianConfig) ? [debianConfig] : [])];
  if (configs.length === 1) console.log(`# ${debianConfig} is not installed (apt-get install linux-headers-6.1.0-56-amd64): checked without a configuration only`);
  for (const file of files) {
    const patch = includePatch(file);
    for (const kernelConfig of configs) {
      const findings = await analyzePatch(patch, { file: `${file}.patch`, sourceRoot: tree, ...(kernelConfig ? { kernelConfig } : {}) });
      assert.deepEqual(
        findings.filter((f) => f.code === 'LP203').map((f) => f.message),
        [],
        `${file}${kernelConfig ? ` with ${kernelConfig}` : ''}`,
      );
    }
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { LinuxKernel } from '../../../../../server/out/emulator/klp/kernel';
import { runLinuxCommand } from '../../../../../server/out/emulator/klp/shell';
import { bootSample, newLog } from './support/kernel';

// The kernel's own samples/livepatch modules, built by kbuild against Debian's headers
// (scripts/kbuild-livepatch-samples.mjs), load and run on the kernel model unmodified: their
// delayed work, msleep, kmalloc_trace, mutexes and printk as the source says they behave.

const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'livepatch-lens', 'kbuild');
const current = (() => {
  if (!existsSync(cache)) return undefined;
  for (const abi of readdirSync(cache)) {
    const file = path.join(cache, abi, 'current.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { modules: Record<string, string> };
  }
  return undefined;
})();
const skip = current ? false : 'the kbuild samples are not built: run `node scripts/kbuild-livepatch-samples.mjs` (installs linux-headers and linux-source from Debian)';

function sh(kernel: LinuxKernel, text: string) {
  const argv = text.split(' ');
  return runLinuxCommand(kernel, { argv, expect: 0, text, source: 'test' }, { readFile: (p) => readFileSync(current!.modules[p] ?? p) });
}

test('livepatch-shadow-mod: a dummy every second that expires 12 s later, a cleanup every 3 s, all freed at rmmod', { skip }, () => {
  const kernel = bootSample();
  newLog(kernel);
  const start = kernel.clock.jiffies;
  assert.equal(sh(kernel, 'insmod livepatch-shadow-mod').exitCode, 0);
  sh(kernel, 'sleep 5');
  const lines = newLog(kernel).filter((l) => !l.includes('taint'));
  const allocs = lines.filter((l) => l.startsWith('dummy_alloc: '));
  assert.equal(allocs.length, 5, lines.join('\n'));
  allocs.forEach((line, i) => {
    const m = /^dummy_alloc: dummy @ ([0-9a-f]{16}), expires @ ([0-9a-f]+)$/.exec(line);
    assert.ok(m, line);
    assert.equal(BigInt(`0x${m[2]}`), start + BigInt(i + 1) * 250n + 12n * 250n, 'allocated at second i+1, expires 12 s later (HZ 250)');
  });
  assert.equal(lines.filter((l) => l.startsWith('cleanup_work_func: jiffies = ')).length, 1, 'one cleanup at 3 s');
  assert.equal(sh(kernel, 'rmmod livepatch_shadow_mod').exitCode, 0);
  assert.equal(newLog(kernel).filter((l) => l.startsWith('dummy_free: ')).length, 5);
});

test('livepatch-callbacks-busymod: its work sleeps sleep_secs on a kworker, which shows busymod_work_func meanwhile', { skip }, () => {
  const kernel = bootSample();
  newLog(kernel);
  assert.equal(sh(kernel, 'insmod livepatch-callbacks-busymod sleep_secs=3').exitCode, 0);
  const fn = kernel.machine.symbols.get('busymod_work_func')!.address;
  const busy = kernel.tasks.list().filter((t) => t.stackFunctions().includes(fn));
  assert.equal(busy.length, 1);
  assert.match(busy[0].comm, /^kworker\//);
  sh(kernel, 'sleep 2');
  assert.equal(kernel.tasks.list().filter((t) => t.stackFunctions().includes(fn)).length, 1);
  sh(kernel, 'sleep 2');
  assert.equal(kernel.tasks.list().filter((t) => t.stackFunctions().includes(fn)).length, 0);
  const lines = newLog(kernel).filter((l) => !l.includes('taint'));
  assert.deepEqual(lines, [
    'livepatch_callbacks_busymod: livepatch_callbacks_mod_init',
    'livepatch_callbacks_busymod: busymod_work_func, sleeping 3 seconds ...',
    'livepatch_callbacks_busymod: busymod_work_func exit',
  ]);
  assert.equal(sh(kernel, 'rmmod livepatch_callbacks_busymod').exitCode, 0);
});

test('livepatch-callbacks-mod loads and unloads with its init and exit messages', { skip }, () => {
  const kernel = bootSample();
  newLog(kernel);
  assert.equal(sh(kernel, 'insmod livepatch-callbacks-mod').exitCode, 0);
  assert.equal(sh(kernel, 'rmmod livepatch_callbacks_mod').exitCode, 0);
  assert.deepEqual(
    newLog(kernel).filter((l) => !l.includes('taint')),
    ['livepatch_callbacks_mod: livepatch_callbacks_mod_init', 'livepatch_callbacks_mod: livepatch_callbacks_mod_exit'],
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { LinuxKernel } from '../../../../../../server/out/emulator/klp/kernel';
import { runLinuxCommand } from '../../../../../../server/out/emulator/klp/shell';
import { fromRoot } from '../../../../support/paths';

// The kernel's own samples/livepatch modules, built by kbuild against Debian's 6.1 headers, through
// the core on the kernel model. The expected logs are those of the kernel's selftests
// (tools/testing/selftests/livepatch/test-callbacks.sh in 6.1, whose test_klp_callbacks_* modules
// print as these samples do), with the samples' names and without the pr_debug lines (dynamic
// debug off, as on a default kernel).

const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'livepatch-lens', 'kbuild');
const modules = (() => {
  if (!existsSync(cache)) return undefined;
  for (const abi of readdirSync(cache)) {
    const file = path.join(cache, abi, 'current.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { modules: Record<string, string> }).modules;
  }
  return undefined;
})();
const skip = modules ? false : 'the kbuild samples are not built: run `node scripts/kbuild-livepatch-samples.mjs` (installs linux-headers and linux-source from Debian)';

function session(): { sh: (line: string) => number; log: () => string[] } {
  const kernel = LinuxKernel.boot(fromRoot('samples', 'build', 'target', 'sample-target'));
  let mark = kernel.log.mark();
  const sh = (line: string): number => {
    const m = /^(.*?)\s*>\s*(\S+)$/.exec(line);
    const argv = (m ? m[1] : line).split(' ');
    const io = { readFile: (p: string) => readFileSync(modules?.[p] ?? p) };
    return runLinuxCommand(kernel, { argv, ...(m ? { redirect: { path: m[2], append: false } } : {}), expect: 0, text: line, source: 'test' }, io).exitCode;
  };
  const log = (): string[] => {
    const lines = kernel.log.since(mark).map((l) => l.replace(/^\[ *\d+\.\d{6}\] /, ''));
    mark = kernel.log.mark();
    return lines.filter((l) => !/taint/.test(l));
  };
  return { sh, log };
}

const demo = 'livepatch_callbacks_demo';
const mod = 'livepatch_callbacks_mod';

test('target module before livepatch: callbacks for vmlinux and the module, on enable and disable', { skip }, () => {
  const { sh, log } = session();
  assert.equal(sh('insmod livepatch-callbacks-mod'), 0);
  assert.equal(sh('insmod livepatch-callbacks-demo'), 0);
  assert.equal(sh(`echo 0 > /sys/kernel/livepatch/${demo}/enabled`), 0);
  sh('sleep 1');
  assert.equal(sh(`rmmod ${demo}`), 0);
  assert.equal(sh(`rmmod ${mod}`), 0);
  assert.deepEqual(log(), [
    `${mod}: ${mod}_init`,
    `livepatch: enabling patch '${demo}'`,
    `${demo}: pre_patch_callback: vmlinux`,
    `${demo}: pre_patch_callback: ${mod} -> [MODULE_STATE_LIVE] Normal state`,
    `livepatch: '${demo}': starting patching transition`,
    `${demo}: post_patch_callback: vmlinux`,
    `${demo}: post_patch_callback: ${mod} -> [MODULE_STATE_LIVE] Normal state`,
    `livepatch: '${demo}': patching complete`,
    `${demo}: pre_unpatch_callback: vmlinux`,
    `${demo}: pre_unpatch_callback: ${mod} -> [MODULE_STATE_LIVE] Normal state`,
    `livepatch: '${demo}': starting unpatching transition`,
    `${demo}: post_unpatch_callback: vmlinux`,
    `${demo}: post_unpatch_callback: ${mod} -> [MODULE_STATE_LIVE] Normal state`,
    `livepatch: '${demo}': unpatching complete`,
    `${mod}: ${mod}_exit`,
  ]);
});

test('module loaded after the livepatch: its callbacks when it comes and goes', { skip }, () => {
  const { sh, log } = session();
  assert.equal(sh('insmod livepatch-callbacks-demo'), 0);
  assert.equal(sh('insmod livepatch-callbacks-mod'), 0);
  assert.equal(sh(`rmmod ${mod}`), 0);
  assert.deepEqual(log().slice(5), [
    `livepatch: applying patch '${demo}' to loading module '${mod}'`,
    `${demo}: pre_patch_callback: ${mod} -> [MODULE_STATE_COMING] Full formed, running module_init`,
    `${demo}: post_patch_callback: ${mod} -> [MODULE_STATE_COMING] Full formed, running module_init`,
    `${mod}: ${mod}_init`,
    `${mod}: ${mod}_exit`,
    `${demo}: pre_unpatch_callback: ${mod} -> [MODULE_STATE_GOING] Going away`,
    `livepatch: reverting patch '${demo}' on unloading module '${mod}'`,
    `${demo}: post_unpatch_callback: ${mod} -> [MODULE_STATE_GOING] Going away`,
  ]);
});

test('a busy target module: post-patch callbacks wait until its work leaves busymod_work_func', { skip }, () => {
  const { sh, log } = session();
  const busy = 'livepatch_callbacks_busymod';
  assert.equal(sh('insmod livepatch-callbacks-busymod sleep_secs=5'), 0);
  assert.equal(sh('insmod livepatch-callbacks-demo'), 0);
  assert.equal(sh(`cat /sys/kernel/livepatch/${demo}/transition`), 0);
  sh('sleep 6');
  assert.deepEqual(log(), [
    `${busy}: livepatch_callbacks_mod_init`,
    `${busy}: busymod_work_func, sleeping 5 seconds ...`,
    `livepatch: enabling patch '${demo}'`,
    `${demo}: pre_patch_callback: vmlinux`,
    `${demo}: pre_patch_callback: ${busy} -> [MODULE_STATE_LIVE] Normal state`,
    `livepatch: '${demo}': starting patching transition`,
    `${busy}: busymod_work_func exit`,
    `${demo}: post_patch_callback: vmlinux`,
    `${demo}: post_patch_callback: ${busy} -> [MODULE_STATE_LIVE] Normal state`,
    `livepatch: '${demo}': patching complete`,
  ]);
});

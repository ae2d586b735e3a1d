// `npm start` (after the build and the samples): the demo, both runtimes through the bundled
// CLI, so the demo is also an example of `livepatch-lens emu`. First one emulated Xen
// hypervisor on the bundled sample target runs samples/demo.xlp: load, call, stack, revert in
// the wrong and the right order, REPLACE, NOP-out, unload, as xen-livepatch and `xl dmesg` print
// them. Then the same target booted as a Linux kernel runs samples/demo-klp.sh: insmod the
// kernel's livepatch-sample.ko, /proc/cmdline patched, the transition, disable, rmmod, as a root
// shell and `dmesg` show them. The scripts' `expect N` lines make the demo fail (exit non-zero)
// when the emulator stops behaving. Then samples/scenarios/torn-write.xlp three times, one a
// patching protocol, CPU 1 looping through the function being patched.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
for (const args of [
  ['emu', '--echo', '--script', 'samples/demo.xlp'],
  ['emu', '--runtime', 'linux', '--echo', '--script', 'samples/demo-klp.sh'],
]) {
  console.log(`$ livepatch-lens ${args.join(' ')}\n`);
  // The child's stderr goes to our stdout so "Error 16: ..." stays next to the step that printed it.
  const run = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), ...args], { cwd: root, stdio: ['ignore', 1, 1] });
  if (run.status !== 0) process.exit(run.status ?? 1);
  console.log('');
}

// Last, the same patch written while CPU 1 runs the function: byte by byte it tears, Xen's
// rendezvous and Linux's text_poke_bp do not. Only the CPUs' lines, side by side.
const torn = path.join('samples', 'scenarios', 'torn-write.xlp');
console.log(`$ livepatch-lens emu --poke naive|xen|linux --seed 1 --script ${torn}   (CPU lines only)`);
for (const poke of ['naive', 'xen', 'linux']) {
  const run = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'emu', '--poke', poke, '--seed', '1', '--script', torn], { cwd: root, encoding: 'utf8' });
  const lines = `${run.stdout}${run.stderr}`.split('\n').filter((line) => /^(CPU1| {2}\d+ x )/.test(line));
  console.log(`  --poke ${poke} (exit ${run.status}):\n${lines.map((line) => `    ${line.trim()}`).join('\n')}`);
  // The demo fails when the emulator stops behaving: naive must tear (exit 1), the others not.
  if (run.status !== (poke === 'naive' ? 1 : 0)) process.exit(1);
}
console.log('');

// What the demos showed, in the editor: where to go from here.
console.log(`Next, in VS Code:
  npm run package && code --install-extension livepatch-lens.vsix
  Then run "Livepatch: Open Sample Workspace" (or the walkthrough "Get Started with Livepatch Lens"):
  - open payloads/xen/xen_hello_world.c there: diagnostics and hovers on its livepatch_func, a code lens to upload and apply it;
  - the Livepatch view (its activity-bar icon): upload, apply, replace, revert and unload payloads, watch a klp transition task by task,
    and each CPU (where it is, IRQs, NMI latch, its loop) once another CPU runs ("Livepatch: Emulator: Run Scenario Command...", 'run 1 xen_build_info --loop');
  - "Livepatch: Select Target..." to check against your own vmlinux or xen-syms;
  - "Livepatch: Check Workspace" for every patch, payload and patch-module source at once.`);

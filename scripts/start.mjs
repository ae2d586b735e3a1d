// `npm start` (after the build and the samples): the demo. One emulated Xen hypervisor on the
// bundled sample target runs samples/demo.xlp through the bundled CLI, so the demo is also an
// example of `livepatch-lens emu`: load, call, stack, revert in the wrong and the right order,
// REPLACE, NOP-out, unload, each step printed as xen-livepatch and `xl dmesg` print it.
// The script's `expect N` lines make it fail (exit non-zero) when the emulator stops behaving.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = ['emu', '--echo', '--script', 'samples/demo.xlp'];
console.log(`$ livepatch-lens ${args.join(' ')}\n`);
// The child's stderr goes to our stdout so "Error 16: ..." stays next to the step that printed it.
const run = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), ...args], { cwd: root, stdio: ['ignore', 1, 1] });
process.exit(run.status ?? 1);

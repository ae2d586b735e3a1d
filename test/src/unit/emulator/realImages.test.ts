import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { realImageKind } from '../../../../server/out/emulator/realImages';
import { bundledSampleTarget } from '../../../../server/out/target/bundledSampleTarget';
import { fromRoot } from '../../support/paths';
import { run } from '../samples/binutils';

// What the editor's status bar says the emulator boots (issue 18 item 4): decided from the
// image's own symbols, here as `nm` lists them.
const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { vmlinux: string; xenSyms: string } };
const defines = (image: string) => {
  const names = new Set([...run('nm', [image]).matchAll(/^[0-9a-f]* ?\w (\S+)$/gm)].map((m) => m[1]));
  return (name: string) => names.has(name);
};
const missing = (file: string, pkg: string) => (existsSync(file) ? false : `${file} is not installed (package ${pkg})`);

test('the bundled sample target is not a real image: the emulator runs its own model', () => {
  const sample = bundledSampleTarget();
  assert.ok(sample, 'npm run samples builds the sample target');
  assert.equal(realImageKind(defines(sample)), undefined);
});

test("Debian's vmlinux is booted as a real Linux kernel", { skip: missing(artifacts.files.vmlinux, 'linux-image-6.1.0-56-amd64-dbg') }, () => {
  assert.equal(realImageKind(defines(artifacts.files.vmlinux)), 'linux');
});

test("Debian's xen-syms is booted as a real Xen", { skip: missing(artifacts.files.xenSyms, 'xen-hypervisor-4.17-amd64-dbg') }, () => {
  assert.equal(realImageKind(defines(artifacts.files.xenSyms)), 'xen');
});

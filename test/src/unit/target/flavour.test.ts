import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { targetFacts } from '../../../../server/out/checks/facts/targetFacts';
import { functionHoverMarkdown } from '../../../../server/out/features/hover';
import { buildTargetIndexData, TargetIndex } from '../../../../server/out/target';
import { assemble, buildDir } from '../payload/build';
import { buildSamples, run, targetPath } from '../samples/binutils';
import { linuxImagePrelude } from './linuxImage';

let sample: TargetIndex;
let linux: TargetIndex;

/** A kernel-like image: Linux's `linux_banner`, and one function that starts with a call to __fentry__. */
const linuxLike = `${linuxImagePrelude}
  .globl cmdline_proc_show
  .type cmdline_proc_show,@function
cmdline_proc_show:
  call __fentry__
  xor %eax,%eax
  ret
  .size cmdline_proc_show, .-cmdline_proc_show
`;

before(async () => {
  buildSamples();
  sample = new TargetIndex(await buildTargetIndexData(targetPath, { dwarfWorkers: 1 }));
  const image = path.join(buildDir, 'linux-like-vmlinux');
  run('ld', ['--build-id=sha1', '-e', 'cmdline_proc_show', '-Ttext=0xffffffff81000000', '-o', image, assemble('linux-like', linuxLike)]);
  linux = new TargetIndex(await buildTargetIndexData(image, { dwarfWorkers: 1 }));
});

test('a kernel image is Linux: fentry decides, and no Xen patch site is given', () => {
  assert.deepEqual(linux.flavour, { flavour: 'linux', xenIbt: false });
  const facts = targetFacts(linux).function('cmdline_proc_show');
  assert.equal(facts?.notrace, false);
  assert.equal(facts?.xenPatchSite, undefined);
  const hover = functionHoverMarkdown('cmdline_proc_show', 'patched by this Xen livepatch_func', facts, 'vmlinux', []);
  assert.match(hover, /\| flavour \| Linux kernel \|/);
  assert.match(hover, /\| traceable \| yes/);
  assert.doesNotMatch(hover, /Xen patch site/, 'a Linux image is judged as Linux whatever the file says');
});

test('the sample target plays either flavour: what patches the function decides what the hover judges', () => {
  const facts = targetFacts(sample).function('xen_minor_version');
  assert.equal(facts?.flavour, 'either');
  const size = parseInt(/^[0-9a-f]+ ([0-9a-f]+) T xen_minor_version$/m.exec(run('nm', ['-S', targetPath]))![1], 16);
  assert.deepEqual(facts?.xenPatchSite, { offset: 0, needed: 5, fits: size >= 5 });
  const asXen = functionHoverMarkdown('xen_minor_version', 'patched by this Xen livepatch_func', facts, 'sample-target', []);
  assert.match(asXen, /judged as Xen, from this file/);
  assert.match(asXen, new RegExp(`\\| Xen patch site \\| fits: the 5-byte jmp at \\+0 needs 5 of its ${size} bytes`));
  assert.doesNotMatch(asXen, /traceable/);
  const asKlp = functionHoverMarkdown('xen_minor_version', 'patched by this klp_func (object vmlinux)', facts, 'sample-target', []);
  assert.match(asKlp, /judged as Linux, from this file/);
  assert.match(asKlp, /\| traceable \| yes: starts with `call __fentry__`/);
  assert.doesNotMatch(asKlp, /Xen patch site/);
  const inPatch = functionHoverMarkdown('xen_minor_version', 'changed by this hunk', facts, 'sample-target', []);
  assert.match(inPatch, /traceable/);
  assert.match(inPatch, /Xen patch site/, 'a patch does not say which flavour: both');
  const tooSmall = targetFacts(sample).function('raw_smp_processor_id');
  assert.match(functionHoverMarkdown('raw_smp_processor_id', 'patched by this Xen livepatch_func', tooSmall, 'sample-target', []), /⚠ too small: .* needs 5 of its 3 bytes/);
});

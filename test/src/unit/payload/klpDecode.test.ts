import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kernelKlpLayout, KlpModule, openPayload } from '../../../../server/out/payload';
import { buildSamples, run, samplePath } from '../samples/binutils';
import { klpSample } from './payloadBytes';
import { buildKernelLayoutModule, kernelLayoutFromGcc } from './kernelLayoutModule';
import { writeSource } from './build';

function decode(file: string): KlpModule {
  const opened = openPayload(file);
  assert.equal(opened.error, undefined, opened.error?.message);
  assert.equal(opened.payload?.kind, 'klp');
  return opened.payload;
}

/** sizeof as gcc computes it for the sample's own headers. */
function sampleSizes(): { func: number; object: number } {
  const program = writeSource('sample-sizes.c', '#include <linux/livepatch.h>\nint func_size = sizeof(struct klp_func), object_size = sizeof(struct klp_object);\n');
  const asm = run('gcc', ['-S', '-o', '-', '-nostdinc', `-I${samplePath('include')}`, program]);
  const size = (name: string) => Number(new RegExp(`${name}:\\s*\\.long\\s+(\\d+)`).exec(asm)?.[1]);
  return { func: size('func_size'), object: size('object_size') };
}

before(() => buildSamples());

test('the sample module decodes to its source: modinfo, one vmlinux object, one function and the sentinels', () => {
  const module = decode(klpSample());
  const source = readFileSync(samplePath('payloads', 'klp', 'livepatch-sample.c'), 'utf8');
  const modinfo = run('readelf', ['-p', '.modinfo', klpSample()]);
  assert.equal(module.livepatch, /livepatch=Y/.test(modinfo));
  assert.equal(module.moduleName, /name=(\S+)/.exec(modinfo)?.[1]);
  assert.equal(module.vermagic?.trim(), /vermagic=(.*)$/m.exec(modinfo)?.[1].trim());
  assert.equal(module.layout.source, 'dwarf', 'the sample is built with -g');
  const sizes = sampleSizes();
  assert.deepEqual([module.layout.funcSize, module.layout.objectSize], [sizes.func, sizes.object], "strides are the sample header's sizeof");
  const patch = module.patch;
  assert.ok(patch, module.patchProblem);
  assert.equal(patch.symbol, /klp_enable_patch\(&(\w+)\)/.exec(source)?.[1]);
  assert.equal(patch.replace, false);
  assert.equal(patch.objectsTerminated, true);
  assert.deepEqual(
    patch.objects.map((o) => o.name),
    [null],
  );
  const [object] = patch.objects;
  assert.equal(object.funcsTerminated, true);
  assert.deepEqual(
    object.funcs.map((f) => [f.oldName, f.newFunc.reloc?.symbol, f.oldSympos]),
    [[/\.old_name = "(\w+)"/.exec(source)?.[1], /\.new_func = (\w+)/.exec(source)?.[1], 0n]],
  );
  assert.deepEqual(module.klpRelaSections, []);
  assert.deepEqual(module.klpSymbols, []);
});

test("the kernel fallback layout is what gcc computes for the kernel's structs", () => {
  const gcc = kernelLayoutFromGcc();
  const k = kernelKlpLayout;
  assert.deepEqual(
    [
      k.funcSize,
      k.objectSize,
      k.func.oldName,
      k.func.newFunc,
      k.func.oldSympos,
      k.object.name,
      k.object.funcs,
      k.object.callbacks,
      k.patch.objs,
      k.patch.states,
      k.patch.replace,
      k.callbacks.prePatch,
      k.callbacks.postPatch,
      k.callbacks.preUnpatch,
      k.callbacks.postUnpatch,
    ],
    [
      'klp_func',
      'klp_object',
      'klp_func.old_name',
      'klp_func.new_func',
      'klp_func.old_sympos',
      'klp_object.name',
      'klp_object.funcs',
      'klp_object.callbacks',
      'klp_patch.objs',
      'klp_patch.states',
      'klp_patch.replace',
      'klp_callbacks.pre_patch',
      'klp_callbacks.post_patch',
      'klp_callbacks.pre_unpatch',
      'klp_callbacks.post_unpatch',
    ].map((key) => gcc[key]),
  );
});

test('a module built against the kernel layout without DWARF decodes through the fallback', () => {
  const module = decode(buildKernelLayoutModule());
  assert.equal(module.layout.source, 'kernel');
  assert.equal(module.livepatch, true);
  assert.equal(module.moduleName, 'kernel_layout');
  const patch = module.patch;
  assert.ok(patch, module.patchProblem);
  assert.equal(patch.replace, true);
  assert.deepEqual(
    patch.objects.map((o) => [o.name, o.funcsTerminated, o.funcs.map((f) => [f.oldName, f.newFunc.reloc?.symbol, Number(f.oldSympos)])]),
    [
      [
        null,
        true,
        [
          ['cmdline_proc_show', 'new_cmdline', 0],
          ['meminfo_proc_show', 'new_meminfo', 2],
        ],
      ],
      ['ext4', true, [['ext4_attr_store', 'new_ext4', 0]]],
    ],
  );
  assert.equal(patch.objects[1].callbacks.prePatch?.symbol, 'pre_patch_ext4');
  assert.equal(patch.objects[0].callbacks.prePatch, undefined);
});

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { analyzePayloadFile } from '../../../../../server/out/checks/payload';
import { payloadChecks } from '../../../../../server/out/checks/payload/ids';
import { buildTargetIndexData, TargetIndex } from '../../../../../server/out/target';
import { namesTheSampleKernelExports } from '../../../../../server/out/target/sampleKernelExports';
import { run } from '../../samples/binutils';
import { bootSample, newLog, sampleModules, sampleTarget, sh } from './support/kernel';

// A kernel engineer opening the sample workspace must not see LP315 errors on modules the
// emulator loads: on the sample target, what the kernel model gives modules is the target's
// exports. The list the check reads is held to the booted model, and the check to its insmod.

const definedByTarget = (): Set<string> => new Set([...run('nm', ['--defined-only', sampleTarget]).matchAll(/^\S+ \S (\S+)$/gm)].map((m) => m[1]));

let target: TargetIndex;
before(async () => {
  target = new TargetIndex(await buildTargetIndexData(sampleTarget, { dwarfWorkers: 1 }));
});

test("the list is what the booted kernel model gives modules beyond the sample target's own symbols (nm), both ways", () => {
  const kernel = bootSample();
  const own = definedByTarget();
  const provided = [...kernel.machine.natives.names(), ...kernel.machine.symbols.definedBy('kernel').flatMap((s) => (s.global ? [s.name] : []))];
  const beyondTheTarget = [...new Set(provided)].filter((name) => !own.has(name) && !name.startsWith('<')).sort();
  assert.ok(beyondTheTarget.includes('kfree') && beyondTheTarget.includes('klp_enable_patch'), 'the model provides kfree and klp_enable_patch');
  assert.deepEqual(namesTheSampleKernelExports().sort(), beyondTheTarget);
});

test("LP315 on every shipped sample module names exactly the symbols the emulator's insmod reports unknown", () => {
  const modules = readdirSync(sampleModules).filter((file) => file.endsWith('.ko'));
  assert.ok(modules.length >= 10, `${modules.length} sample modules built`);
  let refusedSomewhere = 0;
  for (const module of modules) {
    const checked = analyzePayloadFile(path.join(sampleModules, module), { target })
      .findings.filter((f) => f.code === payloadChecks.unknownSymbol.id)
      .map((f) => f.where)
      .sort();
    const kernel = bootSample();
    newLog(kernel);
    sh(kernel, `insmod ${module}`);
    const unknown = newLog(kernel)
      .flatMap((line) => [...line.matchAll(/Unknown symbol (\S+)/g)].map((m) => m[1]))
      .sort();
    if (unknown.length) refusedSomewhere++;
    assert.deepEqual(checked, unknown, module);
  }
  assert.ok(refusedSomewhere >= 1, 'unknown-symbol.ko is refused by both, so the comparison can fail');
});

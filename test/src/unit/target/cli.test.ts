import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../../server/out/cli';
import type { FunctionReport } from '../../../../server/out/cli/target';
import { buildFixtures, Fixtures, run } from '../elf/support/fixtures';
import { fromRoot } from '../../support/paths';

let fx: Fixtures;
const sampleTarget = fromRoot('samples', 'build', 'target', 'sample-target');
before(() => {
  fx = buildFixtures();
  run('make', ['-s', '-C', fromRoot('samples')]);
});

/** `target --json`: the usage text's shape, with the functions' own type. */
interface TargetJson {
  buildId: string;
  flavour: string;
  xenIbt: boolean;
  functions: Record<string, FunctionReport>;
  structs: Record<string, { size: number; members: Array<Record<string, unknown>> }>;
}
const targetJson = (out: string) => JSON.parse(out) as TargetJson;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['target', ...args, '--no-cache'], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

test('--json prints one object with the documented shape, values from the image', async () => {
  const { code, out, err } = await cli(sampleTarget, '--json', '--function', '__schedule', '--function', 'context_switch', '--function', 'update_curr', '--struct', 'rq');
  assert.equal(code, 0, err);
  const result = targetJson(out);
  assert.deepEqual(Object.keys(result), ['buildId', 'flavour', 'xenIbt', 'functions', 'structs']);
  assert.equal(result.flavour, 'either', 'the sample target has neither linux_banner nor __start_xen: it plays both');
  assert.equal(result.buildId, /Build ID: ([0-9a-f]+)/.exec(run('readelf', ['-n', sampleTarget]))![1]);
  const schedule = result.functions.__schedule;
  assert.deepEqual(Object.keys(schedule), [
    'address',
    'size',
    'section',
    'traceable',
    'endbr',
    'xenPatchSite',
    'symbols',
    'inlinedInto',
    'inlinedIntoSymbols',
    'inlines',
    'outOfLine',
  ]);
  const nm = /^([0-9a-f]+) ([0-9a-f]+) t __schedule$/m.exec(run('nm', ['-S', sampleTarget]))!;
  assert.equal(schedule.address, `0x${nm[1].replace(/^0+/, '')}`);
  assert.equal(schedule.size, parseInt(nm[2], 16));
  assert.equal(schedule.section, '.sched.text');
  assert.equal(schedule.traceable, false);
  assert.ok(schedule.inlines.includes('context_switch') && schedule.inlines.includes('pick_next_task'));
  assert.deepEqual(result.functions.context_switch.inlinedInto, ['__schedule']);
  assert.equal(result.functions.context_switch.outOfLine, false);
  assert.equal(result.functions.context_switch.address, null);
  assert.equal(result.functions.update_curr.outOfLine, true);
  assert.ok(result.functions.update_curr.inlinedInto.includes('scheduler_tick'));
  assert.deepEqual(Object.keys(result.structs.rq), ['size', 'members']);
  assert.ok(result.structs.rq.members.every((m) => ['name', 'offset', 'size', 'type'].every((k) => k in m)));
});

test('NAME,SYMPOS picks one of several local functions of one name', async () => {
  const { code, out } = await cli(fx.image, '--json', '--function', 'helper,1', '--function', 'helper,2');
  assert.equal(code, 0);
  const { functions } = targetJson(out);
  const nm = [...run('nm', ['-n', fx.image]).matchAll(/^([0-9a-f]+) t helper$/gm)].map((m) => `0x${m[1]}`);
  assert.deepEqual([functions['helper,1'].address, functions['helper,2'].address], nm);
});

test('an unknown function or struct exits 1 and names it; known ones are still printed', async () => {
  const { code, out, err } = await cli(fx.image, '--json', '--function', 'partly', '--function', 'no_such_function', '--struct', 'no_such_struct');
  assert.equal(code, 1);
  assert.ok(targetJson(out).functions.partly);
  assert.match(err, /unknown function 'no_such_function'/);
  assert.match(err, /unknown struct 'no_such_struct'/);
});

test('usage and I/O errors exit 2', async () => {
  assert.equal((await cli()).code, 2);
  assert.equal((await cli(fx.image, '--bogus')).code, 2);
  const missing = await cli(path.join(fx.dir, 'does-not-exist'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /does-not-exist/);
  const notElf = path.join(fx.dir, 'not-elf');
  writeFileSync(notElf, 'hello');
  const bad = await cli(notElf);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /not-elf: ELF header at offset 0x0/);
});

test('text output lists the facts for people', async () => {
  const { code, out } = await cli(sampleTarget, '--function', 'context_switch', '--struct', 'rq');
  assert.equal(code, 0);
  assert.match(out, /function context_switch\n {2}no out-of-line copy\n {2}inlined into 1 function\(s\):\n {4}__schedule: .*sched\.c:\d+/);
  assert.match(out, /struct rq \(\d+ bytes\)/);
});

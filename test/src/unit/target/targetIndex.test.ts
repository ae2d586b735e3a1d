import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTargetIndex, TargetIndex } from '../../../../server/out/target';
import { fromRoot } from '../../support/paths';
import { buildFixtures, Fixtures, run } from '../elf/support/fixtures';

const sampleTarget = fromRoot('samples', 'build', 'target', 'sample-target');
let fx: Fixtures;
let sample: TargetIndex;
let image: TargetIndex;

before(async () => {
  fx = buildFixtures();
  run('make', ['-s', '-C', fromRoot('samples')]);
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'lpl-target-'));
  sample = await loadTargetIndex(sampleTarget, { cacheDir });
  image = await loadTargetIndex(fx.image, { cacheDir });
});

/** First instruction(s) of every function, from objdump: the oracle for fentry and ENDBR64. */
function objdumpEntries(file: string): Map<bigint, string[]> {
  const entries = new Map<bigint, string[]>();
  let current: string[] | undefined;
  for (const line of run('objdump', ['-d', '--no-show-raw-insn', file]).split('\n')) {
    const head = /^([0-9a-f]+) <.+>:$/.exec(line);
    if (head) entries.set(BigInt(`0x${head[1]}`), (current = []));
    const insn = /^\s*[0-9a-f]+:\t(.*)$/.exec(line);
    if (insn && current && current.length < 2) current.push(insn[1].trim());
  }
  return entries;
}

/** The call sites __mcount_loc lists (objdump -s), as addresses. */
function mcountSites(file: string): Set<bigint> {
  const bytes = Buffer.from(
    run('objdump', ['-s', '-j', '__mcount_loc', file])
      .split('\n')
      .flatMap((line) => /^ [0-9a-f]+ ((?:[0-9a-f]{2,8} ){1,4})/.exec(line)?.[1].trim().split(' ') ?? [])
      .join(''),
    'hex',
  );
  const sites = new Set<bigint>();
  for (let at = 0; at + 8 <= bytes.length; at += 8) sites.add(bytes.readBigUInt64LE(at));
  return sites;
}

function nmFunctions(file: string): Array<{ address: bigint; size: bigint; name: string }> {
  return run('nm', ['-S', '--defined-only', '-n', file])
    .split('\n')
    .flatMap((line) => {
      const m = /^([0-9a-f]+) ([0-9a-f]+) [tTwW] (\S+)$/.exec(line);
      return m ? [{ address: BigInt(`0x${m[1]}`), size: BigInt(`0x${m[2]}`), name: m[3] }] : [];
    });
}

test('the sample target: what is inlined into __schedule is reported so', () => {
  const inlined = sample.inlines('__schedule');
  for (const name of ['context_switch', 'pick_next_task', 'update_rq_clock', 'deactivate_task', 'put_prev_task', 'finish_task_switch']) {
    assert.ok(inlined.includes(name), `${name} is inlined into __schedule`);
    assert.ok(
      sample.inlinedInto(name).some((i) => i.function === '__schedule'),
      `${name}: inlinedInto lists __schedule`,
    );
  }
  const sites = sample.inlinedInto('context_switch').find((i) => i.function === '__schedule')!.sites;
  // Relative to the samples root, as Debian's kernel names its files from the top of its tree (samples/Makefile).
  assert.ok(sites.length > 0 && sites.every((s) => s.file === 'target/sched.c' && s.line > 0), sites.map((s) => `${s.file}:${s.line}`).join(', '));
  assert.equal(sample.isOutOfLine('context_switch'), false);
  assert.ok(sample.inlineOnly().includes('context_switch'));
});

test('the sample target: notrace, __init, .sched.text and .noinstr.text functions are classified so', () => {
  const fn = (name: string) => {
    const symbol = sample.symbol(name);
    assert.ok(symbol, name);
    return symbol;
  };
  assert.deepEqual([fn('__schedule').section, fn('__schedule').traceable], ['.sched.text', false]);
  assert.deepEqual([fn('schedule').section, fn('schedule').traceable], ['.sched.text', true]);
  assert.equal(fn('sched_clock').traceable, false);
  assert.equal(fn('sched_clock').section, '.text');
  assert.deepEqual([fn('sched_clock_noinstr').section, fn('sched_clock_noinstr').traceable], ['.noinstr.text', false]);
  for (const name of ['proc_init', 'sched_init', 'start_kernel']) assert.equal(fn(name).section, '.init.text', name);
  assert.equal(fn('cmdline_proc_show').traceable, true);
  assert.equal(fn('raw_smp_processor_id').size, 3n);
  assert.equal(fn('raw_smp_processor_id').traceable, false);
});

test('the sample target: the partly inlined function is both out of line and inlined', () => {
  assert.equal(sample.isOutOfLine('update_curr'), true);
  assert.ok(sample.symbol('update_curr')!.traceable);
  assert.ok(sample.inlinedInto('update_curr').some((i) => i.function === 'scheduler_tick'));
  assert.ok(!sample.inlineOnly().includes('update_curr'));
});

for (const [label, file, index] of [
  ['sample target', sampleTarget, () => sample],
  ['gcc fixture image', '', () => image],
] as const) {
  test(`${label}: traceable and endbr agree with objdump's first instruction and with __mcount_loc`, () => {
    const target = index();
    const path_ = file || fx.image;
    const entries = objdumpEntries(path_);
    const listed = mcountSites(path_);
    assert.ok(listed.size > 3, 'the image records its fentry call sites');
    let traceable = 0;
    for (const symbol of target.data.symbols.filter((s) => s.kind === 'function' && s.size > 0n)) {
      const [first, second] = entries.get(symbol.address) ?? [];
      assert.ok(first, `objdump shows ${symbol.name}`);
      const endbr = first === 'endbr64';
      const entry = endbr ? second : first;
      const site = symbol.address + (endbr ? 4n : 0n);
      const calls = /^call\s+[0-9a-f]+ <__fentry__>$/.test(entry ?? '') || entry === 'nopl   0x0(%rax,%rax,1)';
      assert.equal(symbol.endbr, endbr, `${symbol.name}: endbr`);
      assert.equal(symbol.traceable, calls && listed.has(site), `${symbol.name}: traceable`);
      if (symbol.traceable) traceable++;
    }
    assert.ok(traceable > 3);
  });

  test(`${label}: function addresses and sizes equal nm -S`, () => {
    const target = index();
    const nm = nmFunctions(file || fx.image);
    const functions = target.data.symbols.filter((s) => s.kind === 'function');
    assert.deepEqual(
      functions.map((s) => [s.name, s.address, s.size]),
      nm.map((s) => [s.name, s.address, s.size]),
    );
  });
}

test('several local symbols of one name are told apart by sympos, in kallsyms (address) order', () => {
  const helpers = image.symbolsNamed('helper');
  assert.equal(helpers.length, 2);
  const nm = nmFunctions(fx.image).filter((s) => s.name === 'helper');
  assert.deepEqual(
    helpers.map((h) => [h.sympos, h.address]),
    nm.map((s, i) => [i + 1, s.address]),
  );
  assert.equal(image.symbol('helper'), undefined, 'sympos 0 is ambiguous');
  assert.equal(image.symbol('helper', 2), helpers[1]);
  assert.equal(image.symbol('call_a', 0)?.sympos, 1);
});

test('symbols by address: inside a function, at its start, and past its end', () => {
  const partly = image.symbol('partly')!;
  assert.equal(image.symbolAt(partly.address)?.name, 'partly');
  assert.equal(image.symbolAt(partly.address + partly.size - 1n)?.name, 'partly');
  assert.notEqual(image.symbolAt(partly.address + partly.size)?.name, 'partly');
});

test('the gcc fixture: .sched.text and .noinstr.text are recovered from the linker-script markers inside .text', () => {
  assert.equal(image.symbol('__schedule')!.section, '.sched.text');
  assert.equal(image.symbol('entry_work')!.section, '.noinstr.text');
  assert.equal(image.symbol('setup_thing')!.section, '.init.text');
  assert.equal(image.symbol('partly')!.section, '.text');
  assert.equal(image.symbol('no_trace')!.traceable, false);
  assert.equal(image.symbol('tiny')!.traceable, true);
});

test('struct layouts are served by name', () => {
  assert.equal(image.struct('task')?.size, 112);
  assert.equal(sample.struct('rq')?.kind, 'struct');
  assert.equal(sample.struct('no_such_struct'), undefined);
});

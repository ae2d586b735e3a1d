import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { emu as cli } from '../support/emuCli';
import { fromRoot } from '../../../support/paths';
import { buildSamples, samplePayload } from '../xen/support/xenPayloads';

// `livepatch-lens emu --cpus/--seed/--poke/--nmi-rate` and the CPU commands from the command
// line and from samples/scenarios/torn-write.xlp, on both runtimes.

buildSamples();

test('bad --cpus, --seed, --poke and --nmi-rate values are usage errors (exit 2) naming the option', async () => {
  for (const [option, value] of [
    ['--cpus', '65'],
    ['--cpus', '0'],
    ['--seed', '-1'],
    ['--poke', 'atomic'],
    ['--nmi-rate', '1001'],
  ]) {
    const { code, err } = await cli(option, value, 'list');
    assert.equal(code, 2, `${option} ${value}`);
    assert.match(err, new RegExp(`${option} expects`), err);
  }
});

test('samples/scenarios/torn-write.xlp: naive tears (exit 1), the default (Xen) protocol does not (exit 0)', async () => {
  const file = fromRoot('samples', 'scenarios', 'torn-write.xlp');
  const naive = await cli('--poke', 'naive', '--seed', '3', '--script', file);
  assert.equal(naive.code, 1);
  assert.match(naive.out + naive.err, /CPU1: guest fault \(torn-write\).*naive protocol.*seed 3$/m);
  const xen = await cli('--seed', '3', '--script', file);
  assert.equal(xen.code, 0, xen.err);
  assert.match(xen.out, /^CPU1: stopped xen_build_info after \d+ calls \(seed 3\)$/m);
});

test('64 CPUs, one of them looping, on the Xen runtime; the CPU commands work on the Linux runtime too', async () => {
  const many = await cli('--cpus', '64', 'run', '63', 'xen_extra_version', '--loop', '--', 'load', samplePayload('xen_hello_world'), '--', 'dump');
  assert.equal(many.code, 0, many.err);
  assert.match(many.out, /^64 CPUs, seed 1, poke protocol xen$/m);
  assert.match(many.out, /^CPU63: between calls of xen_extra_version \(loop\)|^CPU63: in .* of xen_extra_version \(loop\)/m);
  const version = readFileSync(fromRoot('samples', 'target', 'version.c'), 'utf8');
  const extra = /#define XEN_EXTRAVERSION "([^"]*)"/.exec(version)![1];
  const linux = await cli('--runtime', 'linux', 'run', '1', 'xen_extra_version', '--loop', '--', 'nmi', '1', '--', 'stop', '1');
  assert.equal(linux.code, 0, linux.err);
  assert.match(linux.out, new RegExp(`^ {2}\\d+ x 0x[0-9a-f]+ ${JSON.stringify(extra)}$`, 'm'));
});

test('--json: every line carries the seed the run used, given or the default, and that seed alone replays the line', async () => {
  const words = ['--json', '--poke', 'naive', 'run', '1', 'xen_extra_version', '--loop', '--', 'load', samplePayload('xen_hello_world'), '--', 'list'];
  const lines = (out: string) =>
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { seed?: number; stdout: string; stderr: string; exitCode: number });
  const given = lines((await cli('--seed', '4', ...words)).out);
  assert.ok(given.length >= 2);
  for (const line of given) assert.equal(line.seed, 4, JSON.stringify(line));
  const defaulted = lines((await cli(...words)).out);
  for (const line of defaulted) assert.equal(line.seed, 1, JSON.stringify(line));
  // The printed seed is the one to replay by: the run under it prints the same lines again.
  const replayed = lines((await cli('--seed', String(defaulted[0].seed), ...words)).out);
  assert.deepEqual(replayed, defaulted);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScript, commandsOf } from '../../../../server/out/scenario/parse';
import type { CommandResult } from '../../../../server/out/scenario/result';
import { compareRuns } from './linuxDifferential/compare';
import { normaliseRun } from './linuxDifferential/normalise';

// The comparison of the Linux differential test on runs written by hand (lines as 6.1 prints
// them), so that what it calls equal and what it calls different is itself tested without a VM.

const commands = commandsOf(parseScript('cat /proc/cmdline\ninsmod livepatch-shadow-mod.ko\nsleep 3.5\nrmmod livepatch_shadow_mod\n', 'case.scn'));
const result = (command: string, stdout: string, log: string[] = [], exitCode = 0): CommandResult => ({ command, stdout, stderr: '', exitCode, log });
const run = (cmdline: string, stamp: string, ptr: string, jiffies: string, sleepLog: string[], frees: number): CommandResult[] => [
  result('cat /proc/cmdline', `${cmdline}\n`),
  result('insmod /modules/livepatch-shadow-mod.ko', '', [`[${stamp}] livepatch_shadow_mod: loading out-of-tree module taints kernel.`]),
  result('sleep 3.5', '', sleepLog),
  result(
    'rmmod livepatch_shadow_mod',
    '',
    Array.from({ length: frees }, () => `[${stamp}] dummy_free: dummy @ ${ptr}, expired = ${jiffies}`),
  ),
];
const alloc = (ptr: string) => `[    4.185302] dummy_alloc: dummy @ ${ptr}, expires @ fffeeae0`;
const cleanup = '[    6.329020] cleanup_work_func: jiffies = fffee140';

const emulator = run(
  'console=ttyS0 root=/dev/sda',
  '    0.036000',
  'ffffffffc0001000',
  '10b8',
  [alloc('0000000013094b5c'), alloc('00000000df92b9a6'), cleanup, alloc('0000000098f29af3')],
  3,
);
const normalise = (results: CommandResult[]) => normaliseRun(results, results[0].stdout.trimEnd());

test('machines alike compare equal: stamps, pointers, jiffies, the command line, /modules/, repeat counts and the order of timer lines are theirs', () => {
  const real = run(
    'console=ttyS0 panic=-1 nokaslr llnonce=f19b',
    '    3.158999',
    '00000000e7c2a343',
    'fffef1e0',
    [alloc('00000000a695aa8a'), alloc('00000000c15ef67f'), alloc('000000001614204f'), cleanup],
    4,
  );
  const a = normalise(emulator);
  assert.equal(a[0].stdout, '<cmdline>\n');
  assert.deepEqual(a[1].log, ['livepatch_shadow_mod: loading out-of-tree module taints kernel.']);
  assert.deepEqual(a[3].log[0], 'dummy_free: dummy @ <ptr>, expired = <jiffies>');
  assert.deepEqual(
    compareRuns(commands, a, normalise(real)).map((v) => v.differences),
    [[], [], [], []],
  );
});

test('a different exit status, output, log line or kind of timer line is a difference, reported on its command', () => {
  const real = run('console=ttyS0', '    3.158999', '00000000e7c2a343', 'fffef1e0', [cleanup], 4);
  real[1] = { ...real[1], exitCode: 1, stderr: 'insmod: ERROR: could not insert module livepatch-shadow-mod.ko: Invalid parameters\n' };
  real[3] = { ...real[3], log: [...real[3].log, "[    3.2] livepatch: 'x': unpatching complete"] };
  const verdicts = compareRuns(commands, normalise(emulator), normalise(real));
  assert.deepEqual(verdicts[0].differences, []);
  assert.deepEqual(
    verdicts[1].differences.map((d) => d.split(':')[0]),
    ['exit status', 'stderr'],
  );
  assert.match(verdicts[2].differences.join('\n'), /^timer lines: emulator \["cleanup_work_func.*","dummy_alloc: dummy @ <ptr>, expires @ <jiffies>"\], real \["cleanup_work_func/);
  assert.match(verdicts[3].differences.join('\n'), /^log: .*unpatching complete/);
});

test('a command one machine never ran (its scenario stopped) is a difference', () => {
  const verdicts = compareRuns(commands, normalise(emulator), normalise(emulator.slice(0, 2)));
  assert.deepEqual(
    verdicts.map((v) => v.differences.length),
    [0, 0, 1, 1],
  );
});

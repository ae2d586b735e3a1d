import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { EmulatorError, EmulatorSession, LivepatchRuntime, Machine, RuntimeFactory, RuntimeIo } from '../../../../server/out/emulator';
import { parseScript, commandsOf } from '../../../../server/out/scenario/parse';
import type { ScenarioCommand } from '../../../../server/src/scenario/command';
import { corpusDir, kernelObject } from './support/gcc';
import { buildSamples, targetPath } from './xen/support/xenPayloads';

// The EmulatorSession's own part, on a stand-in runtime: what every runtime gets for free (boot,
// reset, the extra objects, call, the log, failures turned into answers) and what it delegates.

buildSamples();
const dir = mkdtempSync(path.join(tmpdir(), 'lp-session-'));

/** A runtime that logs what it is asked, reads files through the session, and can be told to die or to break. */
class Stand implements LivepatchRuntime {
  static boots = 0;
  readonly name = 'linux';
  readonly machine = new Machine();
  readonly lines: string[] = [];
  readonly log = { mark: () => this.lines.length, since: (mark: number) => this.lines.slice(mark) };
  readonly banner: string;
  dead: string | undefined;
  constructor(target: string) {
    this.machine.loadTarget(target);
    this.banner = `boot ${++Stand.boots}`;
  }
  halted() {
    return this.dead;
  }
  run(command: ScenarioCommand, io: RuntimeIo) {
    this.lines.push(`[    0.000000] ran ${command.text}`);
    if (command.argv[0] === 'die') this.dead = 'the kernel has panicked (asked to)';
    if (command.argv[0] === 'bug') throw new TypeError('a bug of ours');
    if (command.argv[0] === 'read') return { stdout: Buffer.from(io.readFile(command.argv[1])).toString(), stderr: '', exitCode: 0 };
    return { stdout: `${command.argv.join(' ')}\n`, stderr: '', exitCode: 0 };
  }
  dump() {
    this.lines.push('[    0.000000] dump');
    return { stdout: '', stderr: '', exitCode: 0 };
  }
  subject(command: ScenarioCommand) {
    return `module ${command.argv[1]}`;
  }
  state(target: string) {
    return { runtime: 'linux' as const, target, patches: [], tasks: [], modules: [{ name: this.banner, state: 'live' as const, livepatch: false, refcount: 0, usedBy: [] }] };
  }
}

const factory: RuntimeFactory = { name: 'linux', boot: (target) => new Stand(target) };
const one = (line: string): ScenarioCommand => commandsOf(parseScript(line, 't'))[0];

test("the runtime's commands: their output, the log lines each caused, files read from the scenario's folder", () => {
  writeFileSync(path.join(dir, 'hello.txt'), 'from the host\n');
  const session = new EmulatorSession(factory, { target: targetPath, baseDir: dir });
  assert.deepEqual(session.state(), { runtime: 'linux', target: targetPath, patches: [], tasks: [], modules: [] }, 'not booted yet');
  const first = session.run(one('insmod "a b.ko"'));
  assert.deepEqual(first, { command: 'insmod "a b.ko"', stdout: 'insmod a b.ko\n', stderr: '', exitCode: 0, log: ['[    0.000000] ran insmod "a b.ko"'] });
  assert.equal(session.run(one('read hello.txt')).stdout, 'from the host\n');
  assert.deepEqual(session.run(one('dump')).log, ['[    0.000000] dump']);
  assert.equal(session.state().runtime, 'linux');
});

test('call runs on the booted machine; a dead runtime refuses it; reset boots a fresh runtime with the objects again', async () => {
  const faults = await kernelObject(path.join(corpusDir, 'faults.c'), 'O2');
  const session = new EmulatorSession(factory, { target: targetPath, objects: [faults] });
  const call = session.run(one('call ok 0x10'));
  assert.equal(call.exitCode, 0, call.stderr);
  assert.equal(call.call?.rax, '0x21');
  session.run(one('die now'));
  const refused = session.run(one('call ok 1'));
  assert.equal(refused.exitCode, 1);
  assert.equal(refused.stderr, 'the kernel has panicked (asked to); reset it\n');
  const before = Stand.boots;
  const reset = session.run(one('reset'));
  assert.equal(reset.exitCode, 0);
  assert.equal(reset.stdout, `Rebooted ${targetPath} (boot ${before + 1}).\n`);
  assert.equal(session.run(one('call ok 0x10')).call?.rax, '0x21', 'the object is linked again after the reboot');
});

test('failures are answers: an unbootable target exits 2 naming it, a bug of ours exits 1 naming the subject', () => {
  const missing = new EmulatorSession(factory, { target: path.join(dir, 'no-such-kernel') });
  const booted = missing.run(one('cat /proc/cmdline'));
  assert.equal(booted.exitCode, 2);
  assert.match(booted.stderr, /^cannot open .*no-such-kernel: ENOENT\n$/);
  const refusing = new EmulatorSession(
    {
      name: 'linux',
      boot: () => {
        throw new EmulatorError('the Linux runtime is not built yet');
      },
    },
    { target: targetPath },
  );
  assert.equal(refusing.run(one('ps')).stderr, 'the Linux runtime is not built yet\n');
  const session = new EmulatorSession(factory, { target: targetPath });
  const bug = session.run(one('bug livepatch_sample'));
  assert.equal(bug.exitCode, 1);
  assert.equal(bug.stderr, "livepatch-lens: internal error in 'bug livepatch_sample' (module livepatch_sample): TypeError: a bug of ours\n");
  assert.equal(session.run(one('ps')).exitCode, 0, 'the session goes on');
});

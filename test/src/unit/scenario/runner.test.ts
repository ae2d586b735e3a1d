import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandLine } from '../../../../server/out/scenario/dialect';
import { parseScript } from '../../../../server/out/scenario/parse';
import { runScenario, ScenarioJsonLine, ScenarioMachine } from '../../../../server/out/scenario/runner';
import type { ScenarioCommand } from '../../../../server/src/scenario/command';
import type { CommandResult } from '../../../../server/src/scenario/result';

// The scenario runner on a stand-in machine whose commands exit with the status they are told.

/** `exit N [text]` exits N printing text, anything else exits 0; `call` returns a call report; each command logs one line. */
class Scripted implements ScenarioMachine {
  readonly ran: string[] = [];
  run(command: ScenarioCommand): CommandResult {
    this.ran.push(command.text);
    const [verb, ...rest] = command.argv;
    const [status, ...words] = verb === 'exit' ? rest : ['0'];
    const result: CommandResult = {
      command: command.text,
      stdout: words.length ? `${words.join(' ')}\n` : '',
      stderr: status === '0' ? '' : `failed ${status}\n`,
      exitCode: Number(status),
      log: [`[    0.000001] ${verb}`],
    };
    if (verb === 'call') result.call = { status: 'returned', rax: '0x2a', string: null, output: '', instructions: 7 };
    return result;
  }
}

function run(script: string, options: { json?: boolean; echo?: boolean; logKey?: 'console' | 'log' } = {}) {
  const machine = new Scripted();
  const out: string[] = [];
  const err: string[] = [];
  const status = runScenario(
    parseScript(script, 't.scn'),
    machine,
    { out: (t) => out.push(t), err: (t) => err.push(t) },
    { ...options, display: (c) => commandLine(c, 'linux'), program: 'test' },
  );
  return { status, ran: machine.ran, out, err };
}

test('runs every command when each exits as expected, and exits 0', () => {
  const r = run('exit 0 one\nexpect 1 exit 1\nexpect 2 exit 2 two\n');
  assert.equal(r.status, 0);
  assert.deepEqual(r.ran, ['exit 0 one', 'exit 1', 'exit 2 two']);
});

test('stops at the first unexpected status and exits with it; 1 when an expected failure succeeded', () => {
  const failed = run('exit 0\nexit 2\nexit 0 never\n');
  assert.equal(failed.status, 2);
  assert.deepEqual(failed.ran, ['exit 0', 'exit 2']);
  assert.deepEqual(failed.err, ['failed 2'], 'the failing command says why; no expectation message when none was written');
  const succeeded = run('expect 1 exit 0\nexit 0 never\n');
  assert.equal(succeeded.status, 1);
  assert.deepEqual(succeeded.ran, ['exit 0']);
  assert.deepEqual(succeeded.err, ["test: 'exit 0' exited 0, expected 1"]);
  const other = run('expect 1 exit 2\n');
  assert.equal(other.status, 2, 'the status the command had');
});

test('text: stdout, stderr and log lines; --echo adds $ COMMAND, the comments and (exit status N)', () => {
  const plain = run('# note\nexit 0 hello\n');
  assert.deepEqual(plain.out, ['hello', '[    0.000001] exit']);
  const echoed = run('# note\nexpect 1 exit 1 out\n', { echo: true });
  // The blank line after the last newline is echoed too, as `emu --echo` always did.
  assert.deepEqual(echoed.out, ['# note', '$ exit 1 out', 'out', '[    0.000001] exit', '(exit status 1)', '']);
  assert.deepEqual(echoed.err, ['failed 1']);
});

test('--json: one object per command, {command, redirect?, stdout, stderr, exitCode, log} and the call details', () => {
  const { out, status } = run('# no line for me\necho x > /p\ncall f 1\n', { json: true, echo: true });
  assert.equal(status, 0);
  assert.equal(out.length, 2, 'comments and echo lines are not JSON');
  const [echo, call] = out.map((line) => JSON.parse(line) as ScenarioJsonLine);
  assert.deepEqual(Object.keys(echo), ['command', 'redirect', 'stdout', 'stderr', 'exitCode', 'log']);
  assert.deepEqual(echo, { command: ['echo', 'x'], redirect: { path: '/p', append: false }, stdout: '', stderr: '', exitCode: 0, log: ['[    0.000001] echo'] });
  assert.deepEqual(Object.keys(call), ['command', 'stdout', 'stderr', 'exitCode', 'log', 'status', 'rax', 'string', 'output', 'instructions']);
  assert.equal(call.rax, '0x2a');
  const xen = JSON.parse(run('exit 0\n', { json: true, logKey: 'console' }).out[0]) as ScenarioJsonLine;
  assert.deepEqual(xen.console, ['[    0.000001] exit']);
  assert.equal(xen.log, undefined);
});

test('a machine that answers later: each command waits for the one before, the same stop, a promise of the status', async () => {
  const scripted = new Scripted();
  const started: string[] = [];
  const later = {
    run: async (command: ScenarioCommand) => {
      started.push(command.text);
      await new Promise((settle) => setTimeout(settle, 5));
      return scripted.run(command);
    },
  };
  const out: string[] = [];
  const steps = parseScript('exit 0 one\n# between\nexpect 1 exit 1\nexit 2\nexit 0 never\n', 'a.scn');
  const pending = runScenario(steps, later, { out: (t) => out.push(t), err: () => undefined }, { echo: true, display: (c) => c.text, program: 'test' });
  assert.deepEqual(started, ['exit 0 one'], 'the second command waits for the first answer');
  assert.equal(await pending, 2);
  assert.deepEqual(scripted.ran, ['exit 0 one', 'exit 1', 'exit 2']);
  assert.deepEqual(out.slice(0, 4), ['$ exit 0 one', 'one', '[    0.000001] exit', '# between'], 'the comment is echoed after the answer before it');
});

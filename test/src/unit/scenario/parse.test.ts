import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandLine, guessRuntime } from '../../../../server/out/scenario/dialect';
import { commandsOf, parseArgv, parseScript, ScenarioSyntaxError } from '../../../../server/out/scenario/parse';
import type { ScenarioCommand } from '../../../../server/src/scenario/command';

// The scenario language (docs/scenario.md): what a shell would make of each line, and errors
// that name the file and line.

const one = (line: string): ScenarioCommand => {
  const [command, ...rest] = commandsOf(parseScript(line, 's.scn'));
  assert.equal(rest.length, 0);
  return command;
};

const syntaxError = (text: string, message: string) =>
  assert.throws(
    () => parseScript(text, 'bad.scn'),
    (e: unknown) => e instanceof ScenarioSyntaxError && e.message === message,
    text,
  );

test('quotes group words as a shell does: double quotes escape, single quotes do not, pieces join', () => {
  assert.deepEqual(one(`echo "a  b" 'c  d' e\\ f`).argv, ['echo', 'a  b', 'c  d', 'e f']);
  assert.deepEqual(one(`call f "say \\"hi\\""`).argv, ['call', 'f', 'say "hi"']);
  assert.deepEqual(one(`call f 'a\\b' a"b c"d ""`).argv, ['call', 'f', 'a\\b', 'ab cd', '']);
  assert.deepEqual(one(`call f "it's" 'say "x"'`).argv, ['call', 'f', "it's", 'say "x"']);
});

test('# starts a comment at the start of a word only; blank and comment lines are kept for --echo', () => {
  const steps = parseScript('# heading\n\n  list   # trailing\ncall f a#b "#" \\#\n', 'c.scn');
  assert.deepEqual(steps[0], { comment: '# heading', source: 'c.scn:1' });
  assert.deepEqual(steps[1], { comment: '', source: 'c.scn:2' });
  const [list, call] = commandsOf(steps);
  assert.deepEqual(list.argv, ['list']);
  assert.equal(list.source, 'c.scn:3');
  assert.deepEqual(call.argv, ['call', 'f', 'a#b', '#', '#']);
  assert.equal(steps.length, 5, 'the empty line after the last newline is a blank line');
});

test('echo redirection: > and >> with or without spaces; a quoted > is a word', () => {
  assert.deepEqual(one('echo 0 > /sys/kernel/livepatch/p/enabled'), {
    argv: ['echo', '0'],
    redirect: { path: '/sys/kernel/livepatch/p/enabled', append: false },
    expect: 0,
    text: 'echo 0 > /sys/kernel/livepatch/p/enabled',
    source: 's.scn:1',
  });
  assert.deepEqual(one('echo 1>>/tmp/x').redirect, { path: '/tmp/x', append: true });
  assert.deepEqual(one(`echo "a b" >'/tmp/with space'`).redirect, { path: '/tmp/with space', append: false });
  const quoted = one(`echo '>' x`);
  assert.deepEqual(quoted.argv, ['echo', '>', 'x']);
  assert.equal(quoted.redirect, undefined);
});

test('expect N COMMAND: the status, the command without the prefix', () => {
  const c = one('expect 1 insmod bad.ko');
  assert.equal(c.expect, 1);
  assert.deepEqual(c.argv, ['insmod', 'bad.ko']);
  assert.equal(c.text, 'insmod bad.ko');
  assert.equal(one('expect 2 echo 0 > /sys/kernel/livepatch/p/enabled').redirect?.path, '/sys/kernel/livepatch/p/enabled');
  assert.equal(one('list').expect, 0);
});

test('errors name the file and line: bad expect, unbalanced quotes, redirections that mean nothing', () => {
  syntaxError('list\nexpect 7 list', "bad.scn:2: expected 'expect 0|1|2 COMMAND...'");
  syntaxError('expect 1', "bad.scn:1: expected 'expect 0|1|2 COMMAND...'");
  syntaxError('\n\ncall f "open', 'bad.scn:3: unbalanced double quote');
  syntaxError("call f 'open", 'bad.scn:1: unbalanced single quote');
  syntaxError('echo 1 >', "bad.scn:1: '>' must be followed by a path");
  syntaxError('echo 1 > >> x', "bad.scn:1: '>' must be followed by a path");
  syntaxError('> x', "bad.scn:1: '>' with no command before it");
  syntaxError('echo 1 > a b', "bad.scn:1: nothing may follow '> a'");
  syntaxError('cat /proc/cmdline > copy', "bad.scn:1: only echo can be redirected ('> PATH'), not cat");
});

test('command-line words: commands between --, > words are redirections, expect works the same', () => {
  const commands = parseArgv(['load', 'x.livepatch', '--', 'echo', '1', '>', '/p', '--', 'echo', '2', '>>/q', '--', 'expect', '2', 'revert', 'h', '--', '--']);
  assert.deepEqual(
    commands.map((c) => [c.argv, c.redirect ?? null, c.expect, c.source]),
    [
      [['load', 'x.livepatch'], null, 0, 'the command line'],
      [['echo', '1'], { path: '/p', append: false }, 0, 'the command line'],
      [['echo', '2'], { path: '/q', append: true }, 0, 'the command line'],
      [['revert', 'h'], null, 2, 'the command line'],
    ],
  );
  assert.equal(commands[1].text, "echo 1 '>' /p", 'as it would be typed again');
  assert.throws(() => parseArgv(['cat', 'a', '>', 'b']), /the command line: only echo can be redirected/);
});

test('the runtime a scenario is for: a .ko or a Linux-only command means Linux, else Xen', () => {
  const runtime = (text: string, files: string[] = []) => guessRuntime(commandsOf(parseScript(text, 'g')), files);
  assert.equal(runtime('insmod livepatch-sample.ko'), 'linux');
  assert.equal(runtime('rmmod livepatch_sample'), 'linux');
  assert.equal(runtime('call f\necho 1 > /sys/kernel/livepatch/p/enabled'), 'linux');
  assert.equal(runtime('load hello.livepatch\ncall xen_extra_version'), 'xen');
  assert.equal(runtime('xen-livepatch list\ncat /sys/hypervisor/version/extra'), 'xen');
  assert.equal(runtime('call f', ['module.ko']), 'linux');
});

test('commandLine: xen-livepatch written out once, emu for the emulator verbs, Linux lines as written', () => {
  const show = (line: string, runtime: 'xen' | 'linux') => commandLine(one(line), runtime);
  assert.equal(show('load x.livepatch', 'xen'), 'xen-livepatch load x.livepatch');
  assert.equal(show('xen-livepatch list', 'xen'), 'xen-livepatch list');
  assert.equal(show('call f 1', 'xen'), 'emu call f 1');
  assert.equal(show('cat  /sys/hypervisor/version/extra', 'xen'), 'cat  /sys/hypervisor/version/extra', 'dom0 shell lines as written');
  assert.equal(show('call f 1', 'linux'), 'emu call f 1');
  assert.equal(show(`echo  '0' >  /sys/x`, 'linux'), `echo  '0' >  /sys/x`);
});

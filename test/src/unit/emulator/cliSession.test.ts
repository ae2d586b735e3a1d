import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { emu as cli } from './support/emuCli';
import type { EmuJsonLine } from '../../../../server/out/cli/emu';
import { fromRoot } from '../../support/paths';
import { sourceString } from './xen/support/boot';
import { buildSamples, samplePayload } from './xen/support/xenPayloads';

// `livepatch-lens emu` sessions: xen-livepatch's commands and exit codes (livepatch-tools.md
// §3.9) plus call / dump / reset on one hypervisor, from `--`-separated words or a script.

buildSamples();
const version = readFileSync(fromRoot('samples', 'target', 'version.c'), 'utf8');
const define = (name: string): string => new RegExp(`#define ${name} "?([^"\\n]*)"?`).exec(version)![1];
const unpatched = define('XEN_EXTRAVERSION');
const hello = sourceString('payloads/xen/xen_hello_world_func.c');
const helloFile = samplePayload('xen_hello_world');
const byeFile = samplePayload('xen_bye_world');

function script(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lp-emu-')), 'session.xlp');
  writeFileSync(file, text);
  return file;
}

const jsonLines = (out: string) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EmuJsonLine);

test('commands separated by -- share one hypervisor; each prints its output, then its (XEN) lines', async () => {
  const { code, out } = await cli('load', helloFile, '--', 'call', 'xen_extra_version', '--', 'list');
  assert.equal(code, 0);
  const lines = out.split('\n');
  const applied = lines.indexOf('Applying xen_hello_world... completed');
  const finished = lines.indexOf('(XEN) livepatch: xen_hello_world finished APPLY with rc=0');
  const string = lines.indexOf(`string = ${JSON.stringify(hello)}`);
  assert.ok(applied >= 0 && finished > applied && string > finished, out);
  assert.match(out, /^xen_hello_world +\| APPLIED {4}\| LIVEPATCH_RULEZ$/m);
});

test('the session stops at the first failing command with its exit code (2: EBUSY, try again)', async () => {
  const { code, out, err } = await cli('load', helloFile, '--', 'load', byeFile, '--', 'revert', 'xen_hello_world', '--', 'list');
  assert.equal(code, 2);
  assert.match(out, /^Reverting xen_hello_world\.\.\. failed$/m);
  assert.match(err, /^Error 16: Device or resource busy$/m);
  assert.match(out, /^\(XEN\) livepatch: xen_hello_world: can't unload\. Top is xen_bye_world$/m);
  assert.doesNotMatch(out, /\| APPLIED/, 'list after the failure did not run');
});

test('a script: comments, paths relative to it, expect N for a refusal; --echo shows each command', async () => {
  const file = script(`# stack and revert
load ${path.relative(path.dirname(script('')), helloFile)}
load ${byeFile}
expect 2 revert xen_hello_world
revert xen_bye_world
revert xen_hello_world
call xen_extra_version
`);
  const relative = path.relative(path.dirname(file), helloFile);
  const { code, out } = await cli('--echo', '--script', file);
  assert.equal(code, 0, out);
  assert.match(out, /^# stack and revert$/m);
  assert.ok(out.includes(`$ xen-livepatch load ${relative}\nUploading ${relative}... completed\n`), out);
  assert.ok(out.includes('$ xen-livepatch revert xen_hello_world\nReverting xen_hello_world... failed\n'));
  assert.match(out, /^\(exit status 2\)$/m);
  assert.ok(out.includes(`$ emu call xen_extra_version\n`));
  assert.match(out, new RegExp(`^string = ${JSON.stringify(unpatched)}$`, 'm'));
});

test('an expectation that is not met ends the session: 1 when the command succeeded instead', async () => {
  const { code, err } = await cli('--script', script('expect 2 list\ncall xen_extra_version\n'));
  assert.equal(code, 1);
  assert.match(err, /'xen-livepatch list' exited 0, expected 2/);
  const bad = await cli('--script', script('expect 7 list\n'));
  assert.equal(bad.code, 2);
  assert.match(bad.err, /session\.xlp:1: expected 'expect 0\|1\|2 COMMAND\.\.\.'/);
});

test('--json: one object per command with its output, exit code, console lines and call result', async () => {
  const { code, out } = await cli('--json', 'load', helloFile, '--', 'call', 'xen_extra_version', '--', 'dump');
  assert.equal(code, 0);
  const [load, call, dump] = jsonLines(out);
  assert.deepEqual(load.command, ['load', helloFile]);
  assert.equal(load.exitCode, 0);
  assert.equal(load.stdout, `Uploading ${helloFile}... completed\nApplying xen_hello_world... completed\n`);
  assert.ok(load.console.includes('(XEN) livepatch: xen_hello_world finished APPLY with rc=0'));
  assert.equal(call.string, hello);
  assert.equal(call.status, 'returned');
  assert.match(call.rax ?? '', /^0x[0-9a-f]+$/);
  assert.deepEqual(call.console, []);
  // §3.8: the `x` debug key dumps the payload with its function (`    %s patch ...` after the `(XEN) ` prefix).
  assert.equal(dump.stdout, '');
  assert.ok(dump.console.includes("(XEN) 'x' pressed - Dumping all livepatch patches"));
  assert.ok(
    dump.console.some((line) => /^\(XEN\) {5}xen_extra_version patch [0-9a-f]{16}\(\d+\) with [0-9a-f]{16} \(\d+\)$/.test(line)),
    dump.console.join('\n'),
  );
});

test('reset boots a fresh hypervisor: no payloads, the original function', async () => {
  const { code, out } = await cli('--json', 'load', helloFile, '--', 'reset', '--', 'list', '--', 'call', 'xen_extra_version');
  assert.equal(code, 0);
  const [, reset, list, call] = jsonLines(out);
  assert.equal(reset.exitCode, 0);
  assert.equal(list.stdout, 'Nothing to list\n');
  assert.equal(call.string, unpatched);
});

test("xen-livepatch's own errors keep its exit codes: an unknown command or payload is 1", async () => {
  const unknown = await cli('frobnicate');
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /Unrecognised command 'frobnicate' -- try 'xen-livepatch help'/);
  const missing = await cli('apply', 'nothing');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /Failed to get status of nothing\.\nError 2: No such file or directory/);
});

test('samples/demo.xlp (npm start) does what its comments say and exits 0', async () => {
  const { code, out } = await cli('--json', '--script', fromRoot('samples', 'demo.xlp'));
  assert.equal(code, 0);
  const steps = jsonLines(out);
  const calls = steps.filter((s) => s.command[0] === 'call').map((s) => [s.command[1], s.string ?? Number(BigInt(s.rax ?? ''))]);
  const source = (name: string) => sourceString(`payloads/xen/${name}_func.c`);
  const major = Number(define('XEN_VERSION'));
  assert.deepEqual(calls, [
    ['xen_extra_version', hello],
    ['xen_extra_version', source('xen_bye_world')],
    ['xen_extra_version', unpatched],
    ['xen_extra_version', source('xen_replace_world')],
    ['xen_minor_version', Number(define('XEN_SUBVERSION'))],
    ['xen_major_version', major],
    // NOPs over all but the ret: %eax still holds what xen_major_version returned.
    ['xen_minor_version', major],
    ['xen_extra_version', unpatched],
  ]);
  const refused = steps.find((s) => s.exitCode !== 0);
  assert.deepEqual(refused?.command, ['revert', 'xen_hello_world']);
  assert.equal(refused.exitCode, 2);
  assert.equal(steps.at(-2)?.stdout, 'Nothing to list\n');
});

test('--help lists the session commands', async () => {
  const { code, out } = await cli('--help');
  assert.equal(code, 0);
  for (const command of ['upload NAME FILE', 'apply NAME [--nodeps]', 'load FILE [--nodeps]', 'call FUNCTION', 'dump', 'reset', '--script FILE', 'expect N'])
    assert.ok(out.includes(command), command);
});

test('--runtime: xen runs as before; linux (asked for, or a .ko / insmod in the scenario) boots the kernel model', async () => {
  const xen = await cli('--runtime', 'xen', '--json', 'xen-livepatch', 'list');
  assert.equal(xen.code, 0);
  assert.equal(jsonLines(xen.out)[0].stdout, 'Nothing to list\n');
  // Asked for: the sample target booted as a kernel still runs its functions.
  const call = await cli('--runtime', 'linux', '--json', 'call', 'xen_extra_version');
  assert.equal(call.code, 0, call.err);
  assert.equal(jsonLines(call.out)[0].string, unpatched);
  // Guessed from insmod: kmod's words for a file that is not there.
  const insmod = await cli('insmod', 'no-such-module.ko');
  assert.equal(insmod.code, 1);
  assert.equal(insmod.err, 'insmod: ERROR: could not load module no-such-module.ko: No such file or directory\n');
  // Guessed from rmmod in a script: the shell's cat reads the guest's /proc/cmdline first.
  const scripted = await cli('--json', '--script', script('cat /proc/cmdline\nrmmod livepatch_sample\n'));
  assert.equal(scripted.code, 1);
  const [cat, rmmod] = jsonLines(scripted.out);
  assert.equal(cat.exitCode, 0);
  assert.ok(cat.stdout.length > 1 && cat.stdout.endsWith('\n'), cat.stdout);
  assert.equal(rmmod.stderr, 'rmmod: ERROR: Module livepatch_sample is not currently loaded\n');
  assert.ok('log' in rmmod && !('console' in rmmod), 'Linux lines are under log');
  // A given target that exports symbols is a kernel; one that is not the kernel model's says what it lacks, exit 2.
  const dir = mkdtempSync(path.join(tmpdir(), 'lp-kernel-'));
  writeFileSync(path.join(dir, 'k.c'), '__attribute__((section("__ksymtab"), used)) static const int exported = 1;\nint start(void) { return exported; }\n');
  execFileSync('gcc', ['-c', '-O2', '-fno-pic', path.join(dir, 'k.c'), '-o', path.join(dir, 'k.o')]);
  execFileSync('ld', ['-e', 'start', path.join(dir, 'k.o'), '-o', path.join(dir, 'vmlinux')]);
  const kernel = await cli('--target', path.join(dir, 'vmlinux'), 'call', 'start');
  assert.equal(kernel.code, 2);
  assert.match(kernel.err, /vmlinux: no DWARF \(.debug_info\): the Linux runtime reads/);
  const bad = await cli('--runtime', 'vax', 'list');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--runtime expects xen or linux, got 'vax'/);
});

test("cat /sys/hypervisor/version/* shows what dom0 shows, from the hypervisor's own functions, patched or not", async () => {
  const version = '/sys/hypervisor/version';
  const { code, out } = await cli(
    '--json',
    'cat',
    `${version}/extra`,
    `${version}/major`,
    `${version}/minor`,
    '--',
    'load',
    helloFile,
    '--',
    'cat',
    `${version}/extra`,
    '--',
    'expect',
    '1',
    'cat',
    '/sys/hypervisor/nothing',
  );
  assert.equal(code, 0, out);
  const [before, , after, missing] = jsonLines(out);
  assert.equal(before.stdout, `${unpatched}\n${define('XEN_VERSION')}\n${define('XEN_SUBVERSION')}\n`);
  assert.equal(after.stdout, `${hello}\n`, 'XENVER_extraversion runs the patched xen_extra_version');
  assert.equal(missing.stderr, 'cat: /sys/hypervisor/nothing: No such file or directory\n');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { emu as cli } from './support/emuCli';
import type { EmuJsonLine } from '../../../../server/out/cli/emu';
import { corpusDir, kernelObject } from './support/gcc';

// `livepatch-lens emu`: the default target, extra objects linked against it, JSON, faults.

test('calls a function of the bundled sample target and prints its string result', async () => {
  const { code, out } = await cli('call', 'xen_extra_version', '--string');
  assert.equal(code, 0);
  assert.match(out, /^string = "-unstable"$/m);
  assert.match(out, /^rax = 0xffffffff81[0-9a-f]{6} /m);
});

test('--json reports rax, string, output and the instruction count', async () => {
  const { code, out } = await cli('call', 'start_kernel', '--json');
  assert.equal(code, 0);
  const report = JSON.parse(out) as EmuJsonLine;
  assert.equal(report.rax, '0xd');
  assert.equal(report.string, null);
  assert.match(report.output ?? '', /^Xen version 4\.21-unstable$/m);
  assert.ok(Number.isInteger(report.instructions) && (report.instructions ?? 0) > 1000);
});

test('--object links extra objects after the target; a guest fault exits 1 with the report', async () => {
  const faults = await kernelObject(path.join(corpusDir, 'faults.c'), 'O2');
  const ok = await cli('--object', faults, 'call', 'ok', '0x10');
  assert.equal(ok.code, 0);
  assert.match(ok.out, /^rax = 0x21 \(33\)$/m);
  const bad = await cli('--object', faults, 'call', 'divide', '1', '0');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /guest fault \(divide-error\) at divide\+0x/);
});

test('usage errors exit 2 and say what is wrong', async () => {
  assert.equal((await cli('call')).code, 2);
  const unknown = await cli('call', 'no_such_function');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown function 'no_such_function'/);
  const badArg = await cli('call', 'xen_extra_version', 'twelve');
  assert.match(badArg.err, /bad argument 'twelve'/);
  const missing = await cli('--target', '/nonexistent/vmlinux', 'call', 'x');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nonexistent/);
});

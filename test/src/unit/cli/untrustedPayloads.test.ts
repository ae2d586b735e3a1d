import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../../server/out/cli';
import { limitSpecs } from '../../../../server/out/limits';
import { buildSamples, samplePayload, targetPath } from '../emulator/xen/support/xenPayloads';
import { bigBss, hookOutside, nameOutside, oldAddrMoved } from '../payload/untrustedPayloads';

// What `inspect`, `check` and `emu` say about payloads whose pointers are not their own: the
// same refusal in all three, and the emulator's session goes on after it.

buildSamples();

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    out: (t) => {
      out += `${t}\n`;
    },
    err: (t) => {
      err += `${t}\n`;
    },
  });
  return { code, out, err };
}

const dir = mkdtempSync(path.join(tmpdir(), 'lp-untrusted-cli-'));
function file(name: string, bytes: Buffer): string {
  const at = path.join(dir, `${name}.livepatch`);
  writeFileSync(at, bytes);
  return at;
}

const mutated: Array<[string, () => Buffer, string, string[]]> = [
  ['name', nameOutside, 'LP333', []],
  ['hook', hookOutside, 'LP334', []],
  ['moved', oldAddrMoved, 'LP335', ['--target', targetPath]],
  ['bss', () => bigBss(1n << 32n), 'LP336', []],
];

test('inspect and check report each untrusted pointer and the huge .bss (exit 1); the good samples stay quiet (exit 0)', async () => {
  for (const [name, bytes, code, extra] of mutated) {
    const payload = file(name, bytes());
    for (const command of ['inspect', 'check']) {
      const run = await cli(command, payload, ...extra);
      assert.equal(run.code, 1, `${command} ${name}: ${run.out}${run.err}`);
      assert.ok(run.out.includes(code), `${command} ${name} reports ${code}:\n${run.out}`);
    }
  }
  for (const sample of ['xen_hello_world', 'xen_nop', 'xen_replace_world']) {
    const run = await cli('inspect', samplePayload(sample), '--target', targetPath);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /Diagnostics: none/);
  }
});

test("emu: a refused upload is that command's error; with `expect 1` the session goes on to the next command", async () => {
  const bad = file('moved', oldAddrMoved());
  const run = await cli('emu', 'expect', '1', 'upload', 'moved', bad, '--', 'load', samplePayload('xen_hello_world'), '--', 'call', 'xen_extra_version');
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /\(XEN\) livepatch: moved: old_addr of entry 0 outside hypervisor text/);
  assert.match(run.err, /Error 22: Invalid argument/);
  assert.match(run.out, /string = /);
});

test('emu --budget and --timeout above their ceilings are capped, saying so on stderr', async () => {
  const budget = limitSpecs.guestInstructionBudget.ceiling;
  const timeout = limitSpecs.guestTimeoutMs.ceiling;
  const run = await cli('emu', '--budget', String(budget * 10), '--timeout', String(timeout + 1), 'call', 'xen_extra_version');
  assert.equal(run.code, 0, run.err);
  assert.ok(run.err.includes(`--budget ${budget * 10} is more than the ceiling of ${budget} instructions per guest call; using ${budget}`), run.err);
  assert.ok(run.err.includes(`--timeout ${timeout + 1} is more than the ceiling of ${timeout} milliseconds per guest call; using ${timeout}`), run.err);
  const within = await cli('emu', '--budget', '1000', 'call', 'xen_extra_version');
  assert.equal(within.err, '');
  assert.equal((await cli('emu', '--budget', '3', 'call', 'xen_extra_version')).code, 1);
});

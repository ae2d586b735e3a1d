import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../../server/out/cli';
import type { ReportRow } from '../../../../server/out/checks/report/reportRow';
import type { PayloadView } from '../../../../server/out/protocol';
import { buildSamples, samplePath, symbols, targetPath } from '../samples/binutils';
import { buildDir } from './build';
import { klpSample, sampleBytes, sectionData, xenSample } from './payloadBytes';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) });
  return { code, out, err };
}

/** hello world with old_size 4: LP307, an error. */
function tooSmallPayload(): string {
  const bytes = sampleBytes(xenSample('xen_hello_world'));
  bytes.writeUInt32LE(4, sectionData(bytes, '.livepatch.funcs').offset + 28);
  mkdirSync(buildDir, { recursive: true });
  const file = path.join(buildDir, 'too-small.livepatch');
  writeFileSync(file, bytes);
  return file;
}

/** What the SARIF assertions read of the log. */
interface SarifLog {
  version: string;
  runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ id: string; level: string }> }>;
}

before(() => buildSamples());

test('inspect --json --target: the functions, chain and hooks of hello world, addresses from nm, no diagnostics', async () => {
  const { code, out } = await cli('inspect', xenSample('xen_hello_world'), '--target', targetPath, '--json');
  assert.equal(code, 0);
  const { payload, diagnostics } = JSON.parse(out) as { payload: PayloadView; diagnostics: ReportRow[] };
  assert.deepEqual(diagnostics, []);
  assert.equal(payload.kind, 'xen');
  assert.deepEqual(
    payload.functions.map((f) => [f.oldName, f.new, f.oldAddress]),
    [['xen_extra_version', 'xen_hello_world', `0x${symbols(targetPath).get('xen_extra_version')!.addr.toString(16)}`]],
  );
  assert.deepEqual(
    payload.chain.map((l) => l.role.split(' ')[0]),
    ['target', 'xen_depends', 'depends', 'xen_hello_world'],
  );
  assert.deepEqual(
    payload.hooks.map((h) => `${h.kind}:${h.functions.join(',')}`),
    ['load:hi_func', 'unload:bye_func'],
  );
});

test('inspect prints a klp module with its objects, functions and layout source', async () => {
  const { code, out } = await cli('inspect', klpSample());
  assert.equal(code, 0);
  assert.match(out, /vmlinux klp_func\[0\]: cmdline_proc_show .* -> livepatch_cmdline_proc_show/);
  assert.match(out, /klp struct layout: the module's DWARF/);
  assert.match(out, /Diagnostics: none/);
});

test('check exits 1 on an error and reports 1-based rows in json, rules in SARIF 2.1.0', async () => {
  buildSamples();
  const bad = tooSmallPayload();
  const json = await cli('check', '--format', 'json', bad, xenSample('xen_nop'));
  assert.equal(json.code, 1);
  assert.deepEqual(
    (JSON.parse(json.out) as ReportRow[]).map((r) => [r.file, r.line, r.column, r.severity, r.code]),
    [[bad, 1, 1, 'error', 'LP307']],
  );
  const sarif = JSON.parse((await cli('check', '--format', 'sarif', bad)).out) as SarifLog;
  assert.equal(sarif.version, '2.1.0');
  assert.deepEqual(
    sarif.runs[0].tool.driver.rules.map((r) => r.id),
    ['LP307'],
  );
  assert.equal(sarif.runs[0].results[0].level, 'error');
  const text = await cli('check', bad);
  assert.match(text.out, /too-small\.livepatch:1:1: error LP307: /);
  assert.match(text.out, /see file:.*LP307\.md/);
});

test('check: good payloads exit 0; a file no analyzer reads is named and makes it a usage error; a missing file is an I/O error', async () => {
  const good = await cli('check', xenSample('xen_hello_world'), klpSample());
  assert.equal(good.code, 0);
  assert.equal(good.out, '');
  const unread = await cli('check', xenSample('xen_hello_world'), samplePath('README.md'));
  assert.equal(unread.code, 2);
  assert.match(unread.err, /README\.md: not /, 'a file no analyzer reads is named on stderr');
  const missing = await cli('check', '/nonexistent.livepatch');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no such file/);
  assert.equal((await cli('check', '--format', 'xml', klpSample())).code, 2);
});

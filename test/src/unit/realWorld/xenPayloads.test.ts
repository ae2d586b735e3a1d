import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { targetFacts } from '../../../../server/out/checks/facts/targetFacts';
import { functionHoverMarkdown } from '../../../../server/out/features/hover';
import { loadTargetIndex } from '../../../../server/out/target';
import { distDir, fromRoot } from '../../support/paths';
import { buildDir } from '../payload/build';
import { sectionData } from '../payload/payloadBytes';
import { buildIdHex, run } from '../samples/binutils';

// Optional: the sample payloads built by samples/Makefile for Debian's Xen 4.17 (its xen-syms, from
// xen-hypervisor-4.17-amd64-dbg, named in scripts/debian-artifacts.json), judged with readelf and nm
// as oracles. Skipped, and reported as skipped, when the package is not installed.
const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { xenSyms: string } };
const xenSyms = artifacts.files.xenSyms;
const skip = existsSync(xenSyms) ? false : `${xenSyms} is not installed: run \`node scripts/xen-artifacts.mjs --install\` (or \`npm run -s test:real-xen\`)`;
const dir = fromRoot('samples', 'build', 'payloads', 'xen-real', path.basename(xenSyms));
const payload = (name: string) => path.join(dir, `${name}.livepatch`);
const names = ['xen_hello_world', 'xen_bye_world', 'xen_replace_world', 'xen_nop'];
const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(distDir, 'cli.js'), ...args], { encoding: 'utf8' });

interface Inspected {
  payload: { functions: Array<{ oldName: string; oldSize: number; newSize: number; action: string }>; chain: Array<{ role: string; buildId: string }> };
  diagnostics: Array<{ severity: string; code: string; message: string }>;
}
const inspect = (file: string): Inspected => JSON.parse(cli('inspect', '--json', '--target', xenSyms, file).stdout) as Inspected;

/** `nm -S` sizes of the image's functions. */
const nmSizes = (): Map<string, number> =>
  new Map([...run('nm', ['-S', '--defined-only', xenSyms]).matchAll(/^[0-9a-f]+ ([0-9a-f]+) [tT] (\S+)$/gm)].map((m) => [m[2], parseInt(m[1], 16)]));

before(() => {
  if (!skip) run('make', ['-s', '-C', fromRoot('samples'), 'real-xen', `XEN_SYMS=${xenSyms}`]);
});

test('the real-Xen payloads check without an error or warning against xen-syms and carry only the relocations Xen handles', { skip }, () => {
  const result = cli('check', '--target', xenSyms, '--format', 'json', ...names.map(payload));
  assert.equal(result.status, 0, result.stdout + result.stderr);
  const findings = JSON.parse(result.stdout) as Array<{ file: string; severity: string; code: string; message: string }>;
  assert.deepEqual(
    findings.filter((f) => f.severity !== 'information').map((f) => `${path.basename(f.file)}: ${f.code} ${f.message}`),
    [],
  );
  for (const name of names) {
    const types = [...run('readelf', ['-rW', payload(name)]).matchAll(/\s(R_X86_64_\w+)\s/g)].map((m) => m[1]);
    assert.ok(types.length > 0, `${name} has relocations`);
    assert.deepEqual(
      [...new Set(types)].filter((t) => !['R_X86_64_PC32', 'R_X86_64_PLT32', 'R_X86_64_64'].includes(t)),
      [],
      name,
    );
  }
});

test('inspect: the build-id dependencies are what readelf -n prints, the old sizes what nm -S prints', { skip }, () => {
  const sizes = nmSizes();
  const hypervisor = buildIdHex(xenSyms);
  for (const name of names) {
    const { payload: p } = inspect(payload(name));
    const chain = new Map(p.chain.map((c) => [c.role.split(' ')[0], c.buildId]));
    assert.equal(chain.get('xen_depends'), hypervisor, name);
    assert.equal(chain.get('depends'), name === 'xen_bye_world' ? buildIdHex(payload('xen_hello_world')) : hypervisor, `${name}: bye world stacks on hello world`);
    assert.ok(p.functions.length > 0, name);
    for (const f of p.functions) assert.equal(f.oldSize, sizes.get(f.oldName), `${name}: ${f.oldName}`);
  }
  const [nop] = inspect(payload('xen_nop')).payload.functions;
  const objdump = run('objdump', ['-d', '--no-show-raw-insn', '--disassemble=xen_minor_version', xenSyms]);
  const first = /^\s*([0-9a-f]+):\s+mov\s/m.exec(objdump);
  const next = /^\s*([0-9a-f]+):\s+jmp\s+[0-9a-f]+ <__x86_return_thunk>/m.exec(objdump);
  assert.ok(first && next, `xen_minor_version is mov; jmp __x86_return_thunk:\n${objdump}`);
  assert.equal(nop.newSize, Number(BigInt(`0x${next[1]}`) - BigInt(`0x${first[1]}`)), 'xen_nop NOPs the mov, the whole instruction before the way out');
});

test("the sample xen_nop's new_size = SZ - 1 against Debian's xen-syms fires LP338 (the payload that double-faulted a real Xen)", { skip }, () => {
  const bytes = readFileSync(payload('xen_nop'));
  const funcs = sectionData(bytes, '.livepatch.funcs').offset;
  bytes.writeUInt32LE(bytes.readUInt32LE(funcs + 28) - 1, funcs + 24);
  const file = path.join(buildDir, 'xen_nop_sz_minus_1.livepatch');
  writeFileSync(file, bytes);
  const result = cli('check', '--target', xenSyms, file);
  assert.equal(result.status, 1, result.stdout);
  assert.match(result.stdout, /LP338: .*end at \+9, inside `jmp [0-9a-f]+ <__x86_return_thunk>` \(\+5, 5 bytes\)/);
});

test("LP339 on Debian's own code: __machine_halt's hlt loop jumps back into the bytes Xen's jmp would overwrite", { skip }, () => {
  // objdump is the oracle: endbr64 at +0, then a jmp whose target is +5..+8 (the jmp Xen writes at +4).
  const objdump = run('objdump', ['-d', '--disassemble=__machine_halt', xenSyms]);
  const start = BigInt(`0x${/^([0-9a-f]+) <__machine_halt>:/m.exec(objdump)![1]}`);
  assert.match(objdump, /^\s*[0-9a-f]+:\s+f3 0f 1e fa\s+endbr64/m);
  const back = /^\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*jmp\s+([0-9a-f]+) <__machine_halt\+0x([0-9a-f]+)>/m.exec(objdump)!;
  const landing = parseInt(back[3], 16);
  assert.ok(landing > 4 && landing < 9, `the loop lands at +${landing}`);
  // The real NOP-out payload turned into a replacement of __machine_halt (old_addr, old_size, a new_addr nearby).
  const bytes = readFileSync(payload('xen_nop'));
  const funcs = sectionData(bytes, '.livepatch.funcs').offset;
  bytes.writeBigUInt64LE(start + 0x1000n, funcs + 8);
  bytes.writeBigUInt64LE(start, funcs + 16);
  bytes.writeUInt32LE(nmSizes().get('__machine_halt')!, funcs + 28);
  const file = path.join(buildDir, 'xen_machine_halt.livepatch');
  writeFileSync(file, bytes);
  const result = cli('check', '--target', xenSyms, file);
  assert.match(
    result.stdout,
    new RegExp(
      `LP339: .*jmp Xen writes at \\+4 of __machine_halt overwrites bytes \\+4\\.\\.\\+8, and \`jmp [0-9a-f]+ <__machine_halt\\+0x${back[3]}>\` at \\+${Number(BigInt(`0x${back[1]}`) - start)} branches to \\+${landing}`,
    ),
  );
});

test('flavour: xen-syms is Xen with CONFIG_XEN_IBT; functions are judged by size and ENDBR64, not fentry', { skip }, async () => {
  const json = JSON.parse(cli('target', xenSyms, '--json', '--function', 'xen_minor_version').stdout) as {
    flavour: string;
    xenIbt: boolean;
    functions: Record<string, { size: number; xenPatchSite?: { offset: number; needed: number; fits: boolean } }>;
  };
  assert.equal(json.flavour, 'xen');
  assert.equal(json.xenIbt, true);
  assert.deepEqual(json.functions.xen_minor_version.xenPatchSite, { offset: 0, needed: 5, fits: true });
  // A function objdump shows starting with endbr64 (and nm knows): Xen writes past it, needing 9 bytes.
  const sizes = nmSizes();
  const endbr = [...run('objdump', ['-d', xenSyms]).matchAll(/^[0-9a-f]+ <([^>]+)>:\n\s*[0-9a-f]+:\s+f3 0f 1e fa\s+endbr64/gm)].map((m) => m[1]).find((n) => sizes.has(n));
  assert.ok(endbr, 'Debian builds Xen with CONFIG_XEN_IBT: some functions start with endbr64');
  const text = cli('target', xenSyms, '--function', endbr).stdout;
  assert.match(text, /flavour: Xen hypervisor, CONFIG_XEN_IBT/);
  assert.match(text, /Xen jmp at \+4 fits \(needs 9 bytes\), ENDBR64/);
  assert.doesNotMatch(text, /fentry/);
  const index = await loadTargetIndex(xenSyms, { cacheDir: null, inWorker: false });
  const facts = targetFacts(index).function('xen_minor_version');
  assert.equal(facts?.notrace, false, 'no Xen function is "notrace": Xen has no ftrace');
  const hover = functionHoverMarkdown('xen_minor_version', 'changed by this hunk', facts, 'xen-syms', []);
  assert.match(hover, /\| flavour \| Xen hypervisor \|/);
  assert.match(hover, /\| Xen patch site \| fits: the 5-byte jmp at \+0 needs 5 of its 10 bytes/);
  assert.doesNotMatch(hover, /traceable/);
});

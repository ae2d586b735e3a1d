import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Diagnostic } from 'vscode-languageserver';
import type { EmulatorCommandResult } from '../../../server/src/protocol';
import { functionSymbols } from '../support/functionSymbols';
import { LspClient } from '../support/lspClient';
import { distDir, fromRoot, repoRoot } from '../support/paths';
import { buildSamples, nmSymbol, samplePayload } from '../unit/emulator/xen/support/xenPayloads';

// Issue 12 §4 through the real server on the bundled sample target: code lenses from the
// emulator's sessions (refreshed when a session changes), hovers on every field of an entry,
// completion of target function names, and the "did you mean" fix for an unknown old_name.

let client: LspClient;
let version = 1;
const xenSource = fromRoot('samples/payloads/xen/xen_hello_world.c');
const klpSource = fromRoot('samples/payloads/klp/livepatch-sample.c');
const targetPath = fromRoot('samples/build/target/sample-target');

before(async () => {
  buildSamples();
  client = new LspClient(path.join(distDir, 'server.js'));
  await client.initialize(repoRoot);
  await client.waitForNotification('livepatch/targetState', (t) => t.state === 'ready', 30000);
});
after(() => client.kill());

function open(file: string, text = readFileSync(file, 'utf8')): string {
  const uri = pathToFileURL(file).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: version++, text } });
  return uri;
}

/** The position of `needle` (plus `offset`) in `text`. */
function at(text: string, needle: string, offset = 1) {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} is in the text`);
  return { line, character: lines[line].indexOf(needle) + offset };
}

const titles = (lenses: CodeLens[], line: number) => lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title);

async function execute(command: string, args: object): Promise<EmulatorCommandResult> {
  return client.request<EmulatorCommandResult>('workspace/executeCommand', { command, arguments: [args] }, 60000);
}

test('code lenses on a Xen payload source: "not loaded · Upload & Apply" with the built payload, then after an apply "applied by xen_hello_world · Revert"', async () => {
  const text = readFileSync(xenSource, 'utf8');
  const uri = open(xenSource, text);
  const nameLine = at(text, '.name = hello_world_patch_this_fnc').line;
  const before = await client.request('textDocument/codeLens', { textDocument: { uri } });
  assert.deepEqual(titles(before, nameLine), ['not loaded in the emulator', 'Upload & Apply']);
  const upload = before.find((l) => l.command?.title === 'Upload & Apply')!.command!;
  assert.equal(upload.command, 'livepatch.loadPayload');
  assert.deepEqual(upload.arguments, [{ path: samplePayload('xen_hello_world') }], 'the payload the Makefile builds from this source');

  const refreshes = client.notificationsOf('workspace/codeLens/refresh').length;
  const loaded = await execute('livepatch.emulator.load', { path: samplePayload('xen_hello_world') });
  assert.equal(loaded.exitCode, 0, loaded.stderr);
  // The server asks for the lenses again before it answers the command.
  assert.equal(client.notificationsOf('workspace/codeLens/refresh').length, refreshes + 1, 'one workspace/codeLens/refresh per session change');
  const after = await client.request('textDocument/codeLens', { textDocument: { uri } });
  assert.deepEqual(titles(after, nameLine), ['applied by xen_hello_world', 'Revert']);
  const revert = after.find((l) => l.command?.title === 'Revert')!.command!;
  assert.deepEqual([revert.command, revert.arguments], ['livepatch.revertPayload', [{ name: 'xen_hello_world' }]]);
  // The arguments are what the emulator command takes: running it reverts.
  const reverted = await execute('livepatch.emulator.revert', revert.arguments![0] as object);
  assert.equal(reverted.exitCode, 0, reverted.stderr);
  const checked = await client.request('textDocument/codeLens', { textDocument: { uri } });
  assert.deepEqual(titles(checked, nameLine), ['uploaded in xen_hello_world, not applied', 'Apply', 'Unload']);
  await execute('livepatch.emulator.unload', { name: 'xen_hello_world' });
});

test('hovers on .old_addr and .new_addr name the patched function; with it applied, the emulator state and the jmp at old_addr', async () => {
  const text = readFileSync(xenSource, 'utf8');
  const uri = open(xenSource, text);
  await execute('livepatch.emulator.load', { path: samplePayload('xen_hello_world') });
  const extra = nmSymbol('xen_extra_version');
  const replacement = nmSymbol('xen_hello_world', samplePayload('xen_hello_world'));
  const oldAddr = await client.request('textDocument/hover', { textDocument: { uri }, position: at(text, '.old_addr = xen_extra_version', 13) });
  assert.ok(oldAddr);
  assert.match(oldAddr.contents.value, /^\*\*xen_extra_version\*\* — its `\.old_addr`, patched by this Xen livepatch_func/);
  assert.ok(oldAddr.contents.value.includes(`\`0x${extra.address.toString(16)}\``), 'the target address, as nm says');
  const newAddr = await client.request('textDocument/hover', { textDocument: { uri }, position: at(text, '.new_addr = xen_hello_world', 13) });
  assert.ok(newAddr);
  const hover = newAddr.contents.value;
  assert.match(hover, /^\*\*xen_extra_version\*\* — replaced by `xen_hello_world`/);
  assert.match(hover, /applied by `xen_hello_world` \(APPLIED\): old_addr `0x[0-9a-f]+`/);
  // The emulator's bytes at old_addr decoded: a jmp whose target is old_addr + 5 + rel32 (read back from the hover's own bytes).
  const jmp = new RegExp(`${extra.address.toString(16)}:  (e9[0-9a-f]{8}) +jmp +([0-9a-f]+)`).exec(hover);
  assert.ok(jmp, hover);
  const rel32 = Buffer.from(jmp[1], 'hex').readInt32LE(1);
  assert.equal(BigInt(`0x${jmp[2]}`), extra.address + 5n + BigInt(rel32));
  assert.ok(replacement.size > 0);
  // The target's own first bytes (the patch site before patching), decoded: objdump is the oracle.
  const objdump = execFileSync('objdump', ['-d', `--start-address=0x${extra.address.toString(16)}`, `--stop-address=0x${(extra.address + 5n).toString(16)}`, targetPath], {
    encoding: 'utf8',
  });
  const firstBytes = /^\s*[0-9a-f]+:\s+((?:[0-9a-f]{2} )+)/m.exec(objdump)![1].replace(/ /g, '');
  assert.ok(hover.includes(`${extra.address.toString(16)}:  ${firstBytes}`), `the target's first instruction bytes ${firstBytes}`);
  await execute('livepatch.emulator.revert', { name: 'xen_hello_world' });
  await execute('livepatch.emulator.unload', { name: 'xen_hello_world' });
});

test('klp: a hover on .new_func, and code lenses on the entry and on the replacement function; "enabled by livepatch_sample · Disable" after insmod', async () => {
  const text = readFileSync(klpSource, 'utf8');
  const uri = open(klpSource, text);
  const newFunc = await client.request('textDocument/hover', { textDocument: { uri }, position: at(text, '.new_func = livepatch_cmdline_proc_show', 13) });
  assert.ok(newFunc);
  assert.match(newFunc.contents.value, /^\*\*cmdline_proc_show\*\* — replaced by `livepatch_cmdline_proc_show`, patched by this klp_func \(object vmlinux\)/);
  const entryLine = at(text, '.old_name = "cmdline_proc_show"').line;
  const definitionLine = at(text, 'static int livepatch_cmdline_proc_show(').line;
  const ko = fromRoot('samples/build/payloads/klp/livepatch-sample.ko');
  assert.ok(existsSync(ko));
  const before = await client.request('textDocument/codeLens', { textDocument: { uri } });
  for (const line of [entryLine, definitionLine]) assert.deepEqual(titles(before, line), ['not loaded in the emulator', 'Insmod'], `line ${line + 1}`);
  assert.deepEqual(before.find((l) => l.command?.title === 'Insmod')?.command?.arguments, [{ path: ko }]);
  const insmod = await execute('livepatch.emulator.insmod', { path: ko });
  assert.equal(insmod.exitCode, 0, insmod.stderr);
  // Wait for the transition to finish, as a user would look again.
  for (let i = 0; i < 20; i++) {
    const lenses = await client.request('textDocument/codeLens', { textDocument: { uri } });
    if (titles(lenses, entryLine)[0] === 'enabled by livepatch_sample') break;
    await execute('livepatch.emulator.run', { line: 'sleep 1', runtime: 'linux' });
  }
  const after = await client.request('textDocument/codeLens', { textDocument: { uri } });
  assert.deepEqual(titles(after, entryLine), ['enabled by livepatch_sample', 'Disable']);
  const disable = after.find((l) => l.command?.title === 'Disable')!.command!;
  assert.deepEqual([disable.command, disable.arguments], ['livepatch.disablePatch', [{ name: 'livepatch_sample' }]]);
  // What the client's livepatch.disablePatch sends for that name (client/src/features/emulator/commands.ts).
  const ran = await execute('livepatch.emulator.run', { line: `echo 0 > /sys/kernel/livepatch/${(disable.arguments![0] as { name: string }).name}/enabled`, runtime: 'linux' });
  assert.equal(ran.exitCode, 0, ran.stderr);
  // Once the transition back completes the kernel frees the patch (its sysfs directory goes): the function is unpatched.
  for (let i = 0; i < 20; i++) {
    const ls = await execute('livepatch.emulator.run', { line: 'ls /sys/kernel/livepatch', runtime: 'linux' });
    if (!ls.stdout.includes('livepatch_sample')) break;
    await execute('livepatch.emulator.run', { line: 'sleep 1', runtime: 'linux' });
  }
  const disabled = await client.request('textDocument/codeLens', { textDocument: { uri } });
  assert.notEqual(titles(disabled, entryLine)[0], 'enabled by livepatch_sample', 'the lens command disabled the patch');
});

/** The sample target's function names, from readelf: the oracle for completion. */
const nmFunctions = (): string[] => [...functionSymbols(targetPath).keys()];

test('completion of old_name in a klp_func and .name in a livepatch_func: every target function with the prefix, functions only', async () => {
  const text =
    'static struct klp_func funcs[] = {\n\t{ .old_name = "xen_", .new_func = fix, },\n\t{ }\n};\nstruct livepatch_func f = { .name = "sched", };\nstatic struct klp_object objs[] = { { .name = "xen_", .funcs = funcs, }, { } };\n';
  const file = fromRoot('test/fixtures/c/completion-scratch.c');
  const uri = open(file, text);
  const old = await client.request('textDocument/completion', { textDocument: { uri }, position: at(text, '"xen_"', 5) });
  assert.ok(old);
  const expected = nmFunctions()
    .filter((n) => n.startsWith('xen_'))
    .sort();
  assert.deepEqual(old.items.map((i) => i.label).sort(), expected);
  assert.ok(!old.items.some((i) => i.label === 'xen_extra_version_string'), 'data symbols are not offered');
  const item = old.items.find((i) => i.label === 'xen_extra_version')!;
  assert.deepEqual((item.textEdit as { range: unknown }).range, { start: at(text, '"xen_"', 1), end: at(text, '"xen_"', 5) }, 'replaces what was typed');
  const resolved = await client.request('completionItem/resolve', item);
  assert.match((resolved.documentation as { value: string }).value, /\*\*xen_extra_version\*\*/);
  const xen = await client.request('textDocument/completion', { textDocument: { uri }, position: at(text, '"sched"', 6) });
  assert.deepEqual(
    xen?.items.map((i) => i.label).sort(),
    nmFunctions()
      .filter((n) => n.startsWith('sched'))
      .sort(),
  );
  const moduleName = await client.request('textDocument/completion', { textDocument: { uri }, position: at(text, '{ .name = "xen_"', 15) });
  assert.equal(moduleName, null, "a klp_object's .name is a module, not a function");
});

test('completion latency on the sample target: p95 of 200 requests under 30 ms', async () => {
  const text = 'static struct klp_func funcs[] = {\n\t{ .old_name = "s", },\n\t{ }\n};\n';
  const uri = open(fromRoot('test/fixtures/c/completion-latency.c'), text);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await client.request('textDocument/completion', { textDocument: { uri }, position: at(text, '"s"', 2) });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const p95 = times[Math.floor(times.length * 0.95)];
  assert.ok(p95 < 30, `p95 ${p95.toFixed(2)} ms`);
});

test('did you mean: LP102 on a misspelt old_name offers the nearest target functions, and the edit replaces the string', async () => {
  const text = 'static struct klp_func funcs[] = {\n\t{ .old_name = "cmdline_proc_shwo", .new_func = fix, },\n\t{ }\n};\n';
  const file = fromRoot('test/fixtures/c/did-you-mean-scratch.c');
  const uri = open(file, text);
  const published = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'LP102'), 15000);
  const lp102 = published.diagnostics.find((d: Diagnostic) => d.code === 'LP102')!;
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: lp102.range, context: { diagnostics: [lp102] } });
  assert.equal(actions[0]?.title, "Did you mean 'cmdline_proc_show'?");
  assert.ok(nmFunctions().includes('cmdline_proc_show'));
  const [edit] = actions[0].edit?.changes?.[uri] ?? [];
  assert.equal(edit.newText, '"cmdline_proc_show"');
  const lines = text.split('\n');
  assert.equal(lines[edit.range.start.line].slice(edit.range.start.character, edit.range.end.character), '"cmdline_proc_shwo"');
  for (const action of actions) assert.match(action.title, /^Did you mean '\w+'\?$/);
});

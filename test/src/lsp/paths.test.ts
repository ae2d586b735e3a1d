import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LspClient } from '../support/lspClient';
import { distDir, fromRoot } from '../support/paths';
import { buildSamples } from '../unit/emulator/xen/support/xenPayloads';

// Issue 12 §5: the paths a user sees are their own. Workspaces outside the checkout, and a target
// built in a third place whose DWARF names that place's absolute paths (as a vsix's prebuilt
// target or a distribution's vmlinux does): messages never climb out with `../`, go to
// definition opens the workspace's copy, the extension's samples only as the last resort.

const scratch = mkdtempSync(path.join(tmpdir(), 'lpl-paths-'));
/** Where the "other machine" built its target, with absolute DWARF paths. */
const elsewhere = path.join(scratch, 'built-elsewhere');
/** A workspace with the original tree in linux/ (the source root). */
const workspace = path.join(scratch, 'workspace');
/** A workspace with only its own copy of sched.c, on the bundled target. */
const small = path.join(scratch, 'small');
const patchName = 'pick-next-task-inlined-into-schedule.patch';
const clients: LspClient[] = [];
let version = 1;

before(() => {
  buildSamples();
  mkdirSync(elsewhere, { recursive: true });
  for (const part of ['Makefile', 'target', 'include']) cpSync(fromRoot('samples', part), path.join(elsewhere, part), { recursive: true });
  // REPRODUCIBLE= keeps the build directory in the DWARF, as builds usually do.
  execFileSync('make', ['-s', '-C', elsewhere, 'build/target/sample-target', 'REPRODUCIBLE='], { stdio: ['ignore', 'ignore', 'ignore'] });
  cpSync(fromRoot('samples/target'), path.join(workspace, 'linux', 'target'), { recursive: true });
  cpSync(fromRoot('samples/patches', patchName), path.join(workspace, 'patches', patchName));
  mkdirSync(path.join(small, 'target'), { recursive: true });
  cpSync(fromRoot('samples/target/sched.c'), path.join(small, 'target', 'sched.c'));
  cpSync(fromRoot('samples/patches', patchName), path.join(small, patchName));
});
after(() => {
  clients.forEach((c) => c.kill());
  rmSync(scratch, { recursive: true, force: true });
});

async function server(folder: string, options: { target?: string; sourceRoot?: string }): Promise<LspClient> {
  const client = new LspClient(path.join(distDir, 'server.js'), ['--stdio'], { ...process.env, XDG_CACHE_HOME: path.join(scratch, 'cache') });
  clients.push(client);
  await client.initialize(folder, { target: options.target ?? '', sourceRoot: options.sourceRoot ?? '' });
  await client.waitForNotification('livepatch/targetState', (t) => t.state === 'ready', 30000);
  return client;
}

function open(client: LspClient, file: string, languageId: string, text = readFileSync(file, 'utf8')): string {
  const uri = pathToFileURL(file).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: version++, text } });
  return uri;
}

async function lp210(client: LspClient, patch: string) {
  const uri = open(client, patch, 'diff');
  const published = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'LP210'), 20000);
  return published.diagnostics.find((d) => d.code === 'LP210')!;
}

const klpModule = 'static struct klp_func funcs[] = {\n\t{ .old_name = "update_curr", .new_func = a, },\n\t{ .old_name = "cmdline_proc_show", .new_func = b, },\n\t{ }\n};\n';

async function definitionOf(client: LspClient, folder: string, name: string): Promise<string[]> {
  const uri = open(client, path.join(folder, 'fix.c'), 'c', klpModule);
  const lines = klpModule.split('\n');
  const line = lines.findIndex((l) => l.includes(`"${name}"`));
  const locations = await client.request('textDocument/definition', { textDocument: { uri }, position: { line, character: lines[line].indexOf(name) + 1 } });
  return locations.map((l) => fileURLToPath(l.uri));
}

test('a target whose DWARF names another checkout: LP210 names the call site as a tree path, related to the source root copy', async () => {
  const target = path.join(elsewhere, 'build/target/sample-target');
  // The premise: the target's line tables name the directory it was built in.
  assert.ok(execFileSync('readelf', ['--debug-dump=line', target], { encoding: 'utf8' }).includes(elsewhere));
  const client = await server(workspace, { target, sourceRoot: path.join(workspace, 'linux') });
  const finding = await lp210(client, path.join(workspace, 'patches', patchName));
  assert.match(finding.message, /inlined into __schedule \(target\/sched\.c:\d+\)/, finding.message);
  assert.ok(!finding.message.includes('../') && !finding.message.includes(elsewhere), finding.message);
  const related = finding.relatedInformation ?? [];
  assert.ok(related.length > 0);
  for (const info of related) {
    const file = fileURLToPath(info.location.uri);
    assert.equal(file, path.join(workspace, 'linux', 'target', 'sched.c'), "the source root's copy, not the builder's");
    assert.match(readFileSync(file, 'utf8').split('\n')[info.location.range.start.line], /pick_next_task\s*\(/);
  }
  assert.deepEqual(await definitionOf(client, workspace, 'update_curr'), [path.join(workspace, 'linux', 'target', 'sched.c')]);
});

test("the bundled target: go to definition opens the workspace's copy, the extension's samples only for what the workspace lacks", async () => {
  const client = await server(small, {});
  assert.deepEqual(await definitionOf(client, small, 'update_curr'), [path.join(small, 'target', 'sched.c')]);
  assert.deepEqual(await definitionOf(client, small, 'cmdline_proc_show'), [fromRoot('samples/target/proc.c')]);
  const finding = await lp210(client, path.join(small, patchName));
  assert.match(finding.message, /\(target\/sched\.c:\d+\)/);
  for (const info of finding.relatedInformation ?? [])
    assert.equal(fileURLToPath(info.location.uri), path.join(small, 'target', 'sched.c'), "the workspace's copy of the tree path");
});

test("a target of the user's own: the extension's samples are never a definition", async () => {
  const client = await server(small, { target: path.join(elsewhere, 'build/target/sample-target') });
  assert.deepEqual(await definitionOf(client, small, 'update_curr'), [path.join(small, 'target', 'sched.c')]);
  assert.deepEqual(await definitionOf(client, small, 'cmdline_proc_show'), []);
});

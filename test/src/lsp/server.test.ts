import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../support/lspClient';
import { distDir, fixture, repoRoot } from '../support/paths';

const SymbolKind = { Module: 2, Package: 4, Function: 12, Array: 18, Struct: 23, Event: 24 } as const;

let client: LspClient;
let version = 1;

function open(file: string, languageId = 'c', text = readFileSync(fixture('c', file), 'utf8')): string {
  const uri = pathToFileURL(fixture('c', file)).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: version++, text } });
  return uri;
}

const symbols = (uri: string) => client.request('textDocument/documentSymbol', { textDocument: { uri } });

before(() => {
  client = new LspClient(path.join(distDir, 'server.js'));
});
after(() => client.kill());

test('initialize: incremental sync and document symbols are advertised', async () => {
  const result = await client.initialize(repoRoot);
  assert.equal(result.capabilities.textDocumentSync.change, 2, 'TextDocumentSyncKind.Incremental');
  assert.equal(result.capabilities.textDocumentSync.openClose, true);
  assert.ok(result.capabilities.documentSymbolProvider);
  assert.equal(result.serverInfo.name, 'livepatch-lens');
  assert.equal(result.serverInfo.version, (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
});

test('documentSymbol: the constructs of a klp module, entries nested under their array', async () => {
  const uri = open('klp_module.c');
  const result = await symbols(uri);
  assert.deepEqual(
    result.map((s) => [s.name, s.kind]),
    [
      ['funcs', SymbolKind.Array],
      ['ext4_funcs', SymbolKind.Array],
      ['objs', SymbolKind.Array],
      ['patch', SymbolKind.Package],
    ],
  );
  assert.deepEqual(
    result[0].children?.map((s) => [s.name, s.kind, s.detail]),
    [
      ['cmdline_proc_show', SymbolKind.Function, '.old_name = "cmdline_proc_show" .new_func = livepatch_cmdline_proc_show'],
      ['show_stat', SymbolKind.Function, '.old_name = "show_stat" .new_func = livepatch_cmdline_proc_show .old_sympos = 2'],
    ],
  );
  const source = readFileSync(fixture('c', 'klp_module.c'), 'utf8').split('\n');
  assert.equal(source[result[0].selectionRange.start.line].slice(result[0].selectionRange.start.character, result[0].selectionRange.end.character), 'funcs');
});

test('didChange (incremental): a new klp_func entry appears in the symbols', async () => {
  const uri = pathToFileURL(fixture('c', 'klp_module.c')).href;
  const source = readFileSync(fixture('c', 'klp_module.c'), 'utf8').split('\n');
  const line = source.findIndex((l) => l.includes('.old_sympos = 2,'));
  // Insert after "}, " closing the show_stat entry: the next line is "\t}, { }".
  const closing = line + 1;
  assert.match(source[closing], /^\t\}, \{ \}$/);
  client.notify('textDocument/didChange', {
    textDocument: { uri, version: version++ },
    contentChanges: [
      { range: { start: { line: closing, character: 3 }, end: { line: closing, character: 3 } }, text: '{ .old_name = "meminfo_proc_show", .new_func = fix_meminfo }, ' },
    ],
  });
  const result = await symbols(uri);
  assert.deepEqual(
    result[0].children?.map((s) => s.name),
    ['cmdline_proc_show', 'show_stat', 'meminfo_proc_show'],
  );
});

test('documentSymbol: a Xen payload shows livepatch_func with name and sizes, and its hooks', async () => {
  const result = await symbols(open('xen_payload.c'));
  assert.deepEqual(
    result.map((s) => [s.name, s.kind]),
    [
      ['livepatch_xen_hello_world', SymbolKind.Struct],
      ['LIVEPATCH_LOAD_HOOK(apply_hook)', SymbolKind.Event],
      ['LIVEPATCH_UNLOAD_HOOK(revert_hook)', SymbolKind.Event],
      ['nop_funcs', SymbolKind.Array],
    ],
  );
  assert.match(result[0].detail ?? '', /\.name = hello_world_patch_this_fnc \("xen_extra_version"\) \.new_size = NEW_CODE_SZ \.old_size = OLD_CODE_SZ/);
});

test('broken C and non-C documents: answers, never an error', async () => {
  const broken = await symbols(open('broken.c'));
  assert.equal(broken[0].name, 'funcs');
  const diffUri = open('x.patch', 'diff', '--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n');
  assert.deepEqual(await symbols(diffUri), []);
  assert.deepEqual(await symbols('file:///never/opened.c'), []);
});

test('shutdown and exit: the server process ends with status 0', async () => {
  assert.equal(await client.shutdown(), 0);
});

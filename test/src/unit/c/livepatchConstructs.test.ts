import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { constructDetail, findLivepatchConstructs, LivepatchConstruct } from '../../../../server/out/c/livepatchConstructs';
import { fixture } from '../../support/paths';

let parser: Parser;
before(async () => {
  parser = await createCParser();
});

function constructsOf(file: string): { constructs: LivepatchConstruct[]; source: string } {
  const source = readFileSync(fixture('c', file), 'utf8');
  const tree = parser.parse(source);
  assert.ok(tree, `no tree for ${file}`);
  const constructs = findLivepatchConstructs(tree);
  tree.delete();
  return { constructs, source };
}

/** The text a range covers, so positions are checked against the source rather than numbers. */
function textAt(source: string, c: LivepatchConstruct): string {
  const lines = source.split('\n');
  const { start, end } = c.selectionRange;
  if (start.line === end.line) return lines[start.line].slice(start.column, end.column);
  return [lines[start.line].slice(start.column), ...lines.slice(start.line + 1, end.line), lines[end.line].slice(0, end.column)].join('\n');
}

test('a Xen payload: each struct livepatch_func with its name and sizes, and each hook', () => {
  const { constructs, source } = constructsOf('xen_payload.c');
  assert.deepEqual(
    constructs.map((c) => [c.kind, c.name]),
    [
      ['livepatch_func', 'livepatch_xen_hello_world'],
      ['livepatch_hook', 'LIVEPATCH_LOAD_HOOK(apply_hook)'],
      ['livepatch_hook', 'LIVEPATCH_UNLOAD_HOOK(revert_hook)'],
      ['livepatch_func', 'nop_funcs'],
    ],
  );
  const [hello, load, , nops] = constructs;
  assert.equal(textAt(source, hello), 'livepatch_xen_hello_world');
  assert.equal(hello.fields.name, 'hello_world_patch_this_fnc');
  assert.equal(hello.resolved.name, 'xen_extra_version', 'the .name constant is followed to its string');
  assert.equal(hello.fields.new_size, 'NEW_CODE_SZ');
  assert.equal(hello.fields.old_size, 'OLD_CODE_SZ');
  assert.equal(constructDetail(hello), '.name = hello_world_patch_this_fnc ("xen_extra_version") .new_size = NEW_CODE_SZ .old_size = OLD_CODE_SZ');
  assert.equal(textAt(source, load), 'LIVEPATCH_LOAD_HOOK');
  assert.equal(load.fields.function, 'apply_hook');
  assert.deepEqual(
    nops.entries.map((e) => [e.name, e.fields.new_size, e.fields.old_size]),
    [
      ['xen_minor_version', '6', '7'],
      ['xen_major_version', '0', '11'],
    ],
  );
});

test('a klp module: every klp_func entry with old_name, new_func, old_sympos; objects and the patch', () => {
  const { constructs, source } = constructsOf('klp_module.c');
  assert.deepEqual(
    constructs.map((c) => [c.kind, c.name]),
    [
      ['klp_func', 'funcs'],
      ['klp_func', 'ext4_funcs'],
      ['klp_object', 'objs'],
      ['klp_patch', 'patch'],
    ],
  );
  const [funcs, ext4Funcs, objs, patch] = constructs;
  assert.deepEqual(
    funcs.entries.map((e) => [e.name, e.fields.new_func, e.fields.old_sympos]),
    [
      ['cmdline_proc_show', 'livepatch_cmdline_proc_show', undefined],
      ['show_stat', 'livepatch_cmdline_proc_show', '2'],
    ],
    'the { } sentinel is not an entry',
  );
  assert.ok(textAt(source, funcs.entries[1]).includes('.old_sympos = 2'), 'an entry covers its initializer');
  assert.deepEqual(
    ext4Funcs.entries.map((e) => e.name),
    ['ext4_attr_store'],
  );
  assert.deepEqual(
    objs.entries.map((e) => [e.name, e.fields.funcs]),
    [
      ['vmlinux', 'funcs'],
      ['ext4', 'ext4_funcs'],
    ],
  );
  assert.deepEqual(patch.fields, { mod: 'THIS_MODULE', objs: 'objs', replace: 'true' });
});

test('broken C still answers with what can be recognised, and does not throw', () => {
  const { constructs } = constructsOf('broken.c');
  const funcs = constructs.find((c) => c.kind === 'klp_func');
  assert.ok(funcs, 'the klp_func array before the damage is still found');
  assert.equal(funcs.entries[0]?.name, 'cmdline_proc_show');
});

test('a C file without livepatch constructs has none', () => {
  assert.deepEqual(constructsOf('plain.c').constructs, []);
});

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Query } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { definitionsOfTree, readDefinitions, readPatchedDefinitions, type Definition } from '../../../../server/out/c/sourceFacts/definitions';
import { linuxSourceTree, noLinuxSource } from '../../support/linuxSourceTree';

/**
 * The patched version of a file is read only as far as it is compared with the original. The
 * whole reading is the oracle: what the patched one gives must be exactly its fields, and the
 * uses of each static local exactly what its identifier counts say.
 */
function compared(definition: Definition): unknown {
  if (definition.kind !== 'function') return definition;
  const { kind, name, lines, attributes, prototype, staticLocals, staticLocalUses, body, identifiers } = definition;
  // What the whole reading counted for every identifier, for the static locals' names.
  const usesByIdentifiers = new Map(staticLocals.map((local) => [local.name, identifiers.get(local.name) ?? 0]));
  assert.deepEqual(staticLocalUses, usesByIdentifiers, `${name}: the whole reading's own uses`);
  return { kind, name, lines, attributes, prototype, staticLocals, staticLocalUses: usesByIdentifiers, body };
}

test('the patched reading of real kernel files is the whole reading without the call-graph facts', { skip: noLinuxSource }, async () => {
  const parser = await createCParser();
  const root = linuxSourceTree();
  const files = [
    ...readdirSync(path.join(root, 'kernel/livepatch'))
      .filter((f) => f.endsWith('.c'))
      .map((f) => `kernel/livepatch/${f}`),
    'kernel/sched/core.c',
    'kernel/sched/fair.c',
    'kernel/fork.c',
    'kernel/workqueue.c',
    'mm/memory.c',
    'mm/shmem.c',
    'fs/namei.c',
  ];
  let functions = 0;
  let withStaticLocals = 0;
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const whole = readDefinitions(parser, file, text);
    const patched = readPatchedDefinitions(parser, file, text);
    assert.deepEqual(patched.syntaxErrors, whole.syntaxErrors, file);
    assert.equal(patched.definitions.length, whole.definitions.length, file);
    whole.definitions.forEach((definition, i) => assert.deepEqual(patched.definitions[i], compared(definition), `${file}: ${definition.kind} ${definition.name}`));
    for (const definition of whole.definitions) {
      if (definition.kind !== 'function') continue;
      functions++;
      if (definition.staticLocals.length) withStaticLocals++;
    }
  }
  // The files hold both kinds of body, so both paths of the patched reading were compared.
  assert.ok(functions > 1000, `${functions} functions`);
  assert.ok(withStaticLocals >= 10, `${withStaticLocals} functions with static locals`);
});

test('the patched reading queries only the bodies that hold the word static', async () => {
  const parser = await createCParser();
  const text = [
    'static int counted(void)',
    '{',
    '\tstatic int calls;',
    '\treturn calls++ + calls;',
    '}',
    'static int commented(void)',
    '{',
    '\t/* not static at all */',
    '\treturn 1;',
    '}',
    'int plain(int x)',
    '{',
    '\treturn helper(x);',
    '}',
    '',
  ].join('\n');
  const queried: number[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the query as `this` below
  const captures = Query.prototype.captures;
  Query.prototype.captures = function (this: Query, ...args: Parameters<Query['captures']>) {
    queried.push(args[0].startPosition.row);
    return captures.apply(this, args);
  };
  try {
    const patched = readPatchedDefinitions(parser, 't.c', text).definitions;
    assert.deepEqual(queried, [1, 6], 'the bodies of counted() and commented(), not of plain()');
    const counted = patched.find((d) => d.name === 'counted');
    assert.ok(counted?.kind === 'function');
    assert.deepEqual(counted.staticLocals, [{ name: 'calls', line: 2 }]);
    // The declaration and the two uses on line 3.
    assert.deepEqual([...counted.staticLocalUses], [['calls', 3]]);
    const plain = patched.find((d) => d.name === 'plain');
    assert.ok(plain?.kind === 'function');
    assert.deepEqual(plain.staticLocals, []);
    assert.equal(plain.prototype, 'int(int)');
    queried.length = 0;
    readDefinitions(parser, 't.c', text);
    assert.deepEqual(queried, [1, 6, 11], 'the whole reading queries every body');
    // An open document's tree is read for its types and macros (LP116): as far as the patched version.
    queried.length = 0;
    const tree = parser.parse(text);
    assert.ok(tree);
    try {
      const open = definitionsOfTree(tree, 't.c').definitions;
      assert.deepEqual(queried, [1, 6], 'an open document: the bodies with the word static only');
      assert.deepEqual(open, patched);
    } finally {
      tree.delete();
    }
  } finally {
    Query.prototype.captures = captures;
  }
});

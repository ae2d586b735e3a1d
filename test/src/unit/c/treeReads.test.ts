import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Node, Query, type Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { findLivepatchConstructs } from '../../../../server/out/c/livepatchConstructs';
import { definitionsOfTree, readDefinitions } from '../../../../server/out/c/sourceFacts/definitions';

/**
 * Each read of a syntax tree from JS crosses into tree-sitter's WASM module and makes objects;
 * a kernel-sized input is decided by how many there are per line of input. These tests count
 * them, which no load on the machine changes: a reader that goes back to reading every entry
 * of a huge array node by node, or to a call that scans the grammar per function, fails here.
 */
const counted = new Map<string, number>();
const restore: Array<() => void> = [];

function count(owner: object, name: string, label: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(owner, name);
  assert.ok(descriptor, `${label} is not on the prototype: the test no longer counts it`);
  // Methods and getters alike are called with the node as `this`, whatever they are.
  const wrap = (original: (this: unknown, ...args: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]): unknown {
      counted.set(label, (counted.get(label) ?? 0) + 1);
      return original.apply(this, args);
    };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- it is called with the node as `this`, in `wrap`
  const original = (descriptor.get ?? descriptor.value) as (this: unknown, ...args: unknown[]) => unknown;
  const replaced = descriptor.get ? { ...descriptor, get: wrap(original) } : { ...descriptor, value: wrap(original) };
  Object.defineProperty(owner, name, replaced);
  restore.push(() => Object.defineProperty(owner, name, descriptor));
}

let parser: Parser;
before(async () => {
  parser = await createCParser();
  for (const name of ['namedChildren', 'children', 'childForFieldName', 'childrenForFieldName', 'namedChild', 'text', 'endPosition', 'endIndex', 'type', 'descendantsOfType']) {
    count(Node.prototype, name, name);
  }
  count(Query.prototype, 'captures', 'captures');
});
after(() => restore.forEach((undo) => undo()));

function reads(what: () => void): Map<string, number> {
  counted.clear();
  what();
  return new Map(counted);
}

const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

function klpArray(entries: number): string {
  const lines = Array.from({ length: entries }, (_, i) => `\t{ .old_name = "function_${i}", .new_func = livepatch_function_${i}, },`);
  return `static struct klp_func funcs[] = {\n${lines.join('\n')}\n\t{ }\n};\nstatic struct klp_object objs[] = { { .funcs = funcs, }, { } };\n`;
}

test('the entries of a well-formed klp_func array cost no tree reads: 4,000 entries read as many nodes as 1,000', () => {
  const read = (entries: number) => {
    const tree = parser.parse(klpArray(entries));
    assert.ok(tree);
    let found: ReturnType<typeof findLivepatchConstructs> = [];
    const made = reads(() => (found = findLivepatchConstructs(tree)));
    tree.delete();
    assert.equal(found[0].entries.length, entries);
    assert.equal(found[0].entries[entries - 1].name, `function_${entries - 1}`);
    return made;
  };
  const small = read(1000);
  const large = read(4000);
  assert.deepEqual(large, small, `tree reads grow with the entries: ${total(small)} for 1,000, ${total(large)} for 4,000`);
});

test("a file's definitions: a fixed number of tree reads per function, and no grammar scan per function", () => {
  const functions = (n: number) => Array.from({ length: n }, (_, i) => `static int f${i}(int x)\n{\n\tint y = g(x);\n\treturn y + ${i};\n}\n`).join('\n');
  const small = reads(() => readDefinitions(parser, 'a.c', functions(500)));
  const large = reads(() => readDefinitions(parser, 'b.c', functions(2000)));
  // descendantsOfType scans the whole symbol table of the grammar at each call: 0.5 s on 11k functions.
  assert.equal(large.get('descendantsOfType') ?? 0, 0);
  assert.equal(large.get('captures'), 2000, 'one query per function body');
  for (const [name, n] of large) assert.ok(n <= 4 * (small.get(name) ?? 0) + 8, `${name}: ${small.get(name)} for 500 functions, ${n} for 2,000`);
});

test('a declaration of many names: tree reads grow with the names, not with their square', () => {
  const declaration = (n: number) => `static unsigned long ${Array.from({ length: n }, (_, i) => `v${i}`).join(', ')};\n`;
  const small = total(reads(() => readDefinitions(parser, 'a.c', declaration(1000))));
  const large = total(reads(() => readDefinitions(parser, 'b.c', declaration(4000))));
  // Reading every declarator's siblings again for each one made 45k names take minutes.
  assert.ok(large <= 4 * small + 100, `${small} reads for 1,000 names, ${large} for 4,000`);
});

test('names and line ends come from the parsed text: 2 text reads per function and no end position, where every name was one', () => {
  const functions = Array.from({ length: 1000 }, (_, i) => `static int f${i}(int x, long y)\n{\n\tint z = g(x, y);\n\treturn z + h(${i});\n}\n`).join('\n');
  const made = reads(() => readDefinitions(parser, 'a.c', functions));
  // The return type and the body's declaration (static or not) are read as text; the name, the callees, the identifiers and the parameters' names are not.
  assert.ok((made.get('text') ?? 0) <= 2 * 1000, JSON.stringify([...made]));
  assert.equal(made.get('endPosition') ?? 0, 0, JSON.stringify([...made]));
  // The same definitions from a tree with an error, where every name is asked of the tree.
  const broken = readDefinitions(parser, 'b.c', `${functions}\nint broken(int x) { return x + ; }\n`);
  const read = readDefinitions(parser, 'a.c', functions);
  assert.ok(broken.syntaxErrors.length);
  assert.deepEqual(broken.definitions.slice(0, 1000), read.definitions);
});

test("a tree's definitions read with the text it was parsed from, leading blank lines too", () => {
  const source = 'struct s { unsigned long *b[4]; char c; };\n#define M(x) ((x) + 1)\nstatic int f(int a)\n{\n\treturn M(a);\n}\n';
  const at = (text: string) => {
    const tree = parser.parse(text);
    assert.ok(tree);
    try {
      // Everything but the line numbers, which the blank lines move.
      return JSON.stringify(definitionsOfTree(tree, 'a.c').definitions, (key, value: unknown) =>
        key === 'line' || key === 'lines' ? undefined : value instanceof Map || value instanceof Set ? [...value] : value,
      );
    } finally {
      tree.delete();
    }
  };
  assert.equal(at(`\n\n  \t${source}`), at(source));
  assert.match(at(source), /"name":"b","type":"unsigned long\*\[4\]"/);
});

test('globals without a comma: one declarator lookup each, and no list of the top-level children', () => {
  const globals = Array.from({ length: 1000 }, (_, i) => `int g${i} = ${i};`).join('\n');
  const made = reads(() => readDefinitions(parser, 'a.c', globals));
  // Listing a field's children walks them in WASM; the list of all top-level children kept every node object alive to the end.
  assert.equal(made.get('childrenForFieldName') ?? 0, 0, JSON.stringify([...made]));
  assert.equal(made.get('children') ?? 0, 0, JSON.stringify([...made]));
  // The same variables as one declaration with commas, where every declarator is listed.
  const listed = readDefinitions(parser, 'b.c', `int ${Array.from({ length: 1000 }, (_, i) => `g${i} = ${i}`).join(', ')};`);
  const withoutLines = (d: { definitions: object[] }) => d.definitions.map((v) => ({ ...v, lines: undefined }));
  assert.deepEqual(withoutLines(listed), withoutLines(readDefinitions(parser, 'a.c', globals)));
});

test('static locals: each declarator of a static declaration once, the others not', () => {
  // `static static` (which tree-sitter reads as two storage classes) is still one declaration.
  const source =
    'void f(void)\n{\n\tstatic int a;\n\tstatic int b, *c[2];\n\tint d;\n\tregister int r;\n\tstatic const char *e = "static";\n\tint s = sizeof(static_x);\n\tstatic static int t;\n}\n';
  const [fn] = readDefinitions(parser, 'a.c', source).definitions;
  assert.equal(fn.kind, 'function');
  assert.deepEqual(fn.kind === 'function' && fn.staticLocals.map((l) => `${l.name}@${l.line}`), ['a@2', 'b@3', 'c@3', 'e@6', 't@8']);
});

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { readDefinitions, type FunctionDefinition } from '../../../../server/out/c/sourceFacts/definitions';
import { maskKernelMacros } from '../../../../server/out/c/sourceFacts/kernelAttributes';

// The macros as the kernel defines them, cut down to what gives each its shape: gcc compiles the file,
// and its symbol table (nm) is the oracle for which functions and static locals the code defines.
const kernelMacros = `
struct list_head { struct list_head *next, *prev; };
struct ratelimit_state { int interval, burst, printed; };
#define __user
#define offsetof(t, m) __builtin_offsetof(t, m)
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each_entry(pos, head, member) \\
  for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head); \\
       pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define for_each_cpu(cpu, n) for ((cpu) = 0; (cpu) < (n); (cpu)++)
#define min_t(type, x, y) ((type)(x) < (type)(y) ? (type)(x) : (type)(y))
#define DEFINE_RATELIMIT_STATE(name, i, b) struct ratelimit_state name = { i, b, 0 }
#define DEFINE_PER_CPU(type, name) __attribute__((section(".data..percpu"))) __typeof__(type) name
#define LIST_HEAD(name) struct list_head name = { &(name), &(name) }
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2) \\
  static inline long __do_sys_##name(t1 a1, t2 a2); \\
  long __x64_sys_##name(t1 a1, t2 a2) { return __do_sys_##name(a1, a2); } \\
  static inline long __do_sys_##name(t1 a1, t2 a2)
int __ratelimit(struct ratelimit_state *rs);
int printk(const char *fmt, ...);
`;

const kernelCode = `
struct item { int value; struct list_head node; };
static LIST_HEAD(items);
DEFINE_PER_CPU(unsigned long, hits);

static int sum_items(void)
{
	struct item *it;
	int sum = 0;

	list_for_each_entry(it, &items, node) {
		sum += it->value;
	}
	return sum;
}

static struct item *item_of(struct list_head *node)
{
	return container_of(node, struct item, node);
}

static void warn_rarely(int cpu)
{
	static DEFINE_RATELIMIT_STATE(rs, 5, 10);
	int c;

	for_each_cpu(c, cpu)
		if (__ratelimit(&rs))
			printk("%d\\n", min_t(unsigned long, c, 4));
}

SYSCALL_DEFINE2(count_items, int, flags, int __user *, out)
{
	*out = sum_items() + flags;
	warn_rarely(flags);
	return item_of(items.next) ? 0 : -1;
}

int after_the_syscall(void)
{
	return sum_items();
}
`;

let parser: Parser;
let symbols: Array<{ type: string; name: string }>;

before(async () => {
  parser = await createCParser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lpl-macro-shapes-'));
  try {
    const source = path.join(dir, 'shapes.c');
    writeFileSync(source, kernelMacros + kernelCode);
    execFileSync('gcc', ['-O0', '-c', '-o', path.join(dir, 'shapes.o'), source]);
    symbols = execFileSync('nm', [path.join(dir, 'shapes.o')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).slice(-2))
      .map(([type, name]) => ({ type, name }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the kernel macro shapes parse without a syntax error, and keep every position and line', () => {
  const definitions = readDefinitions(parser, 'shapes.c', kernelCode);
  assert.deepEqual(definitions.syntaxErrors, []);
  const masked = maskKernelMacros(kernelCode);
  assert.equal(masked.length, kernelCode.length);
  assert.deepEqual(
    [...masked.matchAll(/\n/g)].map((m) => m.index),
    [...kernelCode.matchAll(/\n/g)].map((m) => m.index),
  );
});

test('the functions read are those gcc emits, a SYSCALL_DEFINE body as __do_sys_NAME, each at its lines', () => {
  const definitions = readDefinitions(parser, 'shapes.c', kernelCode).definitions;
  const functions = definitions.filter((d): d is FunctionDefinition => d.kind === 'function');
  const emitted = symbols.filter((s) => /^[tT]$/.test(s.type)).map((s) => s.name);
  // __x64_sys_count_items is the wrapper the macro itself writes; it has no text of its own in the file.
  assert.deepEqual(functions.map((f) => f.name).sort(), emitted.filter((n) => n !== '__x64_sys_count_items').sort());
  const lines = kernelCode.split('\n');
  for (const f of functions) assert.match(lines[f.lines.first] ?? '', new RegExp(f.name.replace(/^__do_sys_/, '')), `${f.name} starts at its own line`);
  const syscall = functions.find((f) => f.name === '__do_sys_count_items');
  assert.ok(syscall && lines[syscall.lines.last]?.startsWith('}'), 'the syscall body ends at its closing brace');
});

test('a static local defined by a macro is a static local, as gcc allocates it', () => {
  const warn = readDefinitions(parser, 'shapes.c', kernelCode).definitions.find((d): d is FunctionDefinition => d.kind === 'function' && d.name === 'warn_rarely');
  // gcc names a function's static local NAME.N in the object's symbol table.
  const gccLocals = symbols.filter((s) => /^[bdBD]$/.test(s.type) && /\.\d+$/.test(s.name)).map((s) => s.name.replace(/\.\d+$/, ''));
  assert.deepEqual(warn?.staticLocals.map((l) => l.name), gccLocals);
});

test('globals defined by a macro are read as the variables gcc allocates', () => {
  const variables = readDefinitions(parser, 'shapes.c', kernelCode)
    .definitions.filter((d) => d.kind === 'variable')
    .map((d) => d.name)
    .sort();
  const allocated = symbols.filter((s) => /^[bdBD]$/.test(s.type) && !/\.\d+$/.test(s.name)).map((s) => s.name);
  assert.deepEqual(variables, allocated.sort());
});

test('what is not a macro use stays as written: prototypes with unnamed parameters, calls, a function named like an iterator', () => {
  const text = 'int f(struct item *, unsigned long);\nint g(void) { return min(3, 4); }\nint for_each_thing(int n);\nint h(int n) { return for_each_thing(n) + 1; }\n';
  assert.equal(maskKernelMacros(text), text);
});

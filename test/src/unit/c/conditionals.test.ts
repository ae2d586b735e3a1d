import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { compiledBranches } from '../../../../server/out/c/conditionals';
import { evaluateCondition } from '../../../../server/out/c/conditionExpression';
import { kernelConfigPath, readKernelConfig, type KernelConfig } from '../../../../server/out/c/kernelConfig';
import { parseableText } from '../../../../server/out/c/parseableText';
import { readDefinitions, type FunctionDefinition } from '../../../../server/out/c/sourceFacts/definitions';
import { WorkerTrees } from '../../../../server/out/features/analysis/workerTrees';
import { inTempDir, prng } from '../diff/oracle';

let parser: Parser;
before(async () => {
  parser = await createCParser();
});

const hasGcc = spawnSync('gcc', ['--version']).status === 0;
const needsGcc = hasGcc ? false : 'gcc is not installed (Debian package gcc): its preprocessor is the oracle';

function configOf(text: string): KernelConfig {
  return inTempDir((dir) => {
    const file = path.join(dir, '.config');
    writeFileSync(file, text);
    return readKernelConfig(file);
  });
}

const idiom = [
  '#include <linux/kernel.h>',
  '',
  '#ifdef CONFIG_X',
  'static int f(int a)',
  '#else',
  'static int f(void)',
  '#endif',
  '{',
  '\treturn 0;',
  '}',
  '',
  'int g(void)',
  '{',
  '\treturn 1;',
  '}',
  '',
].join('\n');

const functions = (text: string): FunctionDefinition[] => readDefinitions(parser, 'f.c', text).definitions.filter((d): d is FunctionDefinition => d.kind === 'function');

test('a function header duplicated under #ifdef/#else reads as one function with its body, every line kept', () => {
  const raw = parser.parse(idiom)!;
  assert.ok(raw.rootNode.hasError, 'tree-sitter alone cannot read the idiom: otherwise this test proves nothing');
  raw.delete();
  const read = readDefinitions(parser, 'f.c', idiom);
  assert.deepEqual(read.syntaxErrors, []);
  assert.deepEqual(
    functions(idiom).map((f) => [f.name, f.lines.first, f.lines.last, f.prototype]),
    [
      ['f', 3, 9, 'int(int)'],
      ['g', 11, 14, 'int(void)'],
    ],
  );
  const chosen = compiledBranches(idiom).text;
  assert.equal(chosen.length, idiom.length);
  assert.deepEqual(
    chosen.split('\n').map((l) => l.length),
    idiom.split('\n').map((l) => l.length),
  );
});

test('with a configuration, the branch the kernel compiles is read: CONFIG_X=m leaves CONFIG_X undefined, as autoconf.h does', () => {
  const prototypeWith = (config: string) => {
    const text = compiledBranches(idiom, configOf(config)).text;
    return functions(text).find((f) => f.name === 'f')?.prototype;
  };
  assert.equal(prototypeWith('CONFIG_X=y\n'), 'int(int)');
  assert.equal(prototypeWith('# CONFIG_X is not set\nCONFIG_Y=y\n'), 'int(void)');
  assert.equal(prototypeWith('CONFIG_X=m\n'), 'int(void)');
});

test('#if 0 is always left out, nested groups and #elif chains choose one branch each', () => {
  const text = [
    '#if 0',
    'this is not C (',
    '#endif',
    '#ifdef CONFIG_A',
    '# if CONFIG_N > 3',
    'int big;',
    '# elif CONFIG_N > 1',
    'int medium;',
    '# else',
    'int small;',
    '# endif',
    '#elif IS_ENABLED(CONFIG_M)',
    'int module;',
    '#else',
    'int none;',
    '#endif',
    '',
  ].join('\n');
  const kept = (config?: KernelConfig) => compiledBranches(text, config).text.match(/int \w+/g);
  assert.deepEqual(kept(), ['int big'], 'no configuration: the first branch of each group');
  assert.deepEqual(kept(configOf('CONFIG_A=y\nCONFIG_N=2\n')), ['int medium']);
  assert.deepEqual(kept(configOf('CONFIG_A=y\nCONFIG_N=1\n')), ['int small']);
  assert.deepEqual(kept(configOf('CONFIG_M=m\n')), ['int module']);
  assert.deepEqual(kept(configOf('CONFIG_Q=y\n')), ['int none']);
  const unknown = compiledBranches(text);
  assert.equal(unknown.assumed, 2, 'both groups are decided on unknown conditions');
  assert.deepEqual(
    unknown.skipped.map((s) => [s.branch.text, s.known]),
    [
      ['#if 0', true],
      ['#elif CONFIG_N > 1', false],
      ['#else', false],
      ['#elif IS_ENABLED(CONFIG_M)', false],
      ['#else', false],
    ],
  );
});

test('directives inside comments and strings are not directives; continued lines and comments on a directive are blanked whole', () => {
  const text = ['/*', '#if 0', '*/', 'const char *s = "\\', '#if 0";', '#if 0 /* a comment', '   over two lines */', 'int gone;', '#endif \\', '  trailing', 'int kept;', ''].join(
    '\n',
  );
  const chosen = compiledBranches(text).text;
  assert.match(chosen, /^\/\*\n#if 0\n\*\//, 'the commented-out #if stays');
  assert.match(chosen, /#if 0";/, 'the string stays');
  assert.doesNotMatch(chosen, /gone|over two|trailing/);
  assert.match(chosen, /int kept;/);
  assert.equal(chosen.split('\n').length, text.split('\n').length);
});

test('#define and #undef earlier in the compiled text decide later conditions; defines in a left-out branch do not', () => {
  const text = [
    '#define LOCAL 2',
    '#undef HIDDEN',
    '#if 0',
    '#define HIDDEN',
    '#endif',
    '#if LOCAL == 2 && !defined(HIDDEN)',
    'int yes;',
    '#endif',
    '#undef LOCAL',
    '#ifdef LOCAL',
    'int no;',
    '#endif',
    '',
  ].join('\n');
  const result = compiledBranches(text);
  assert.deepEqual(result.text.match(/int \w+/g), ['int yes']);
  assert.equal(result.assumed, 0, 'every condition here is known');
});

test('a directive without its group is left in the text and is a syntax error, as it is to the compiler', () => {
  const stray = 'int a;\n#endif\nint b;\n';
  assert.equal(compiledBranches(stray).text, stray);
  const read = readDefinitions(parser, 's.c', stray);
  assert.deepEqual([read.syntaxErrors, read.unbalancedDirective?.problem], [[1], 'stray']);
  const open = 'int a;\n#ifdef CONFIG_A\nint b;\n#else\nint c;\n';
  const chosen = compiledBranches(open).text;
  assert.match(chosen, /^int a;\n#ifdef CONFIG_A\nint b;\n/, 'the opener of a group never closed stays');
  assert.doesNotMatch(chosen, /int c/);
  assert.equal(readDefinitions(parser, 'o.c', open).syntaxErrors[0], 1);
  assert.deepEqual(readDefinitions(parser, 'fine.c', idiom).syntaxErrors, []);
});

test("an edit that opens or closes a group changes the blanking far from it; the document's incremental tree stays the fresh parse's", () => {
  const trees = new WorkerTrees(parser);
  const steps = [
    idiom,
    idiom.replace('int g(void)', '#if 0\nint g(void)'),
    `${idiom.replace('int g(void)', '#if 0\nint g(void)')}#endif\n`,
    `${idiom.replace('int g(void)', '#if 0\nint g(void)').replace('#else', '#elif 0')}#endif\n`,
    idiom,
  ];
  for (const [index, text] of steps.entries()) {
    const incremental = trees.parse('file:///t.c', text, () => false);
    const fresh = parser.parse(parseableText(text).text)!;
    assert.equal(incremental?.rootNode.toString(), fresh.rootNode.toString(), `step ${index}`);
    fresh.delete();
  }
  trees.close('file:///t.c');
});

/** The kernel's include/linux/kconfig.h test macros: what IS_ENABLED and friends expand to. */
const kconfigMacros = [
  '#define __ARG_PLACEHOLDER_1 0,',
  '#define __take_second_arg(__ignored, val, ...) val',
  '#define __and(x, y) ___and(x, y)',
  '#define ___and(x, y) ____and(__ARG_PLACEHOLDER_##x, y)',
  '#define ____and(arg1_or_junk, y) __take_second_arg(arg1_or_junk y, 0)',
  '#define __or(x, y) ___or(x, y)',
  '#define ___or(x, y) ____or(__ARG_PLACEHOLDER_##x, y)',
  '#define ____or(arg1_or_junk, y) __take_second_arg(arg1_or_junk 1, y)',
  '#define __is_defined(x) ___is_defined(x)',
  '#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)',
  '#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)',
  '#define IS_BUILTIN(option) __is_defined(option)',
  '#define IS_MODULE(option) __is_defined(option##_MODULE)',
  '#define IS_REACHABLE(option) __or(IS_BUILTIN(option), __and(IS_MODULE(option), __is_defined(MODULE)))',
  '#define IS_ENABLED(option) __or(IS_BUILTIN(option), IS_MODULE(option))',
].join('\n');

/** Which `int mark_N;` lines GCC's preprocessor keeps, with the configuration's macros defined as autoconf.h would. */
function gccKeeps(text: string, config: KernelConfig): string[] {
  const defines = [...config.macros].map(([name, value]) => `#define ${name} ${value}`).join('\n');
  const run = spawnSync('gcc', ['-E', '-P', '-x', 'c', '-'], { input: `${kconfigMacros}\n${defines}\n${text}`, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.match(/mark_\d+/g) ?? [];
}

const conditionPool = [
  '#ifdef CONFIG_A',
  '#ifndef CONFIG_B',
  '#ifdef CONFIG_M',
  '#if defined(CONFIG_A) && !defined(CONFIG_B)',
  '#if defined CONFIG_B || defined(CONFIG_M_MODULE)',
  '#if IS_ENABLED(CONFIG_M)',
  '#if IS_BUILTIN(CONFIG_M)',
  '#if IS_MODULE(CONFIG_M)',
  '#if IS_ENABLED(CONFIG_B) || IS_BUILTIN(CONFIG_A)',
  '#if CONFIG_N > 3',
  '#if CONFIG_N * 2 == 10 && CONFIG_HEX >= 0x1000',
  '#if (CONFIG_N << 2) % 3 == 2 ? 1 : 0',
  '#if !CONFIG_B',
  '#if 0',
  '#if 1',
  '#if LOCAL > 1',
  '#ifdef LOCAL',
];

/** Nested groups of random conditions, each branch holding a marker the preprocessor keeps or drops. */
function randomGroups(random: () => number, depth: number, marks: { next: number }): string[] {
  const lines: string[] = [];
  const pick = () => conditionPool[Math.floor(random() * conditionPool.length)];
  for (let groups = 1 + Math.floor(random() * 2); groups > 0; groups--) {
    lines.push(pick());
    const branches = Math.floor(random() * 3);
    for (let branch = 0; branch <= branches; branch++) {
      if (branch > 0)
        lines.push(branch === branches && random() < 0.5 ? '#else' : pick().replace(/^#if(n?def)? ?/, (_, def) => (def ? `#elif ${def === 'ndef' ? '!' : ''}defined ` : '#elif ')));
      lines.push(`int mark_${marks.next++};`);
      if (depth < 3 && random() < 0.4) lines.push(...randomGroups(random, depth + 1, marks));
    }
    lines.push('#endif');
    lines.push(`int mark_${marks.next++};`);
  }
  return lines;
}

test('the branches chosen with a configuration are those GCC compiles, on nested random groups', { skip: needsGcc }, () => {
  const config = configOf('CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_M=m\nCONFIG_N=5\nCONFIG_HEX=0x2000\nCONFIG_S="text"\n');
  const random = prng(14);
  for (let round = 0; round < 40; round++) {
    const text = ['#define LOCAL 2', ...randomGroups(random, 0, { next: 0 }), ''].join('\n');
    const ours = compiledBranches(text, config);
    assert.deepEqual(ours.text.match(/mark_\d+/g) ?? [], gccKeeps(text, config), text);
    assert.equal(ours.assumed, 0, `every condition is known with a configuration:\n${text}`);
  }
});

const headers = '/usr/src/linux-headers-6.1.0-56-amd64';
const needsHeaders = !hasGcc ? needsGcc : existsSync(`${headers}/.config`) ? false : `${headers} is not installed (apt-get install linux-headers-6.1.0-56-amd64)`;

test("Debian's .config reads as its include/generated/autoconf.h defines, and real CONFIG_* tests agree with GCC", { skip: needsHeaders }, () => {
  const fromConfig = readKernelConfig(`${headers}/.config`);
  const fromHeader = readKernelConfig(`${headers}/include/generated/autoconf.h`);
  assert.ok(fromConfig.macros.size > 5000, `${fromConfig.macros.size} macros`);
  assert.deepEqual([...fromConfig.macros.keys()].sort(), [...fromHeader.macros.keys()].sort());
  // Kconfig writes a hex symbol's 0 as 0x0 in autoconf.h: the same number.
  for (const [name, value] of fromConfig.macros) if (value !== fromHeader.macros.get(name)) assert.equal(BigInt(value), BigInt(fromHeader.macros.get(name) ?? ''), name);
  const names = [
    'CONFIG_SMP',
    'CONFIG_KPROBES',
    'CONFIG_LIVEPATCH',
    'CONFIG_EXT4_FS',
    'CONFIG_BTRFS_FS',
    'CONFIG_NUMA',
    'CONFIG_ARM64',
    'CONFIG_DEBUG_VM',
    'CONFIG_PREEMPT',
    'CONFIG_HZ_1000',
  ];
  const tests = names.flatMap((n) => [`#ifdef ${n}`, `#if IS_ENABLED(${n})`, `#if IS_MODULE(${n})`, `#if !IS_BUILTIN(${n}) && CONFIG_NR_CPUS > 64`]);
  const text = [...tests.map((t, i) => `${t}\nint mark_${i};\n#endif`), `#if CONFIG_HZ == 250\nint mark_${tests.length};\n#endif`, ''].join('\n');
  const kept = compiledBranches(text, fromConfig).text.match(/mark_\d+/g) ?? [];
  const run = spawnSync('gcc', ['-E', '-P', '-x', 'c', '-', '-I', `${headers}/include`, '-include', 'generated/autoconf.h'], {
    input: `${kconfigMacros}\n${text}`,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(kept, run.stdout.match(/mark_\d+/g) ?? []);
  assert.ok(kept.length > 5 && kept.length < tests.length, `${kept.length} of ${tests.length} kept: both outcomes are exercised`);
});

test('an unknown operand decides nothing unless && or || decide without it', () => {
  const lookup = (name: string) => (name === 'KNOWN' ? { defined: true as const, value: '3' } : name === 'GONE' ? { defined: false as const } : undefined);
  const cases: Array<[string, bigint | undefined]> = [
    ['0 && HEADER_MACRO', 0n],
    ['HEADER_MACRO && 0', 0n],
    ['1 || HEADER_MACRO', 1n],
    ['HEADER_MACRO || KNOWN', 1n],
    ['HEADER_MACRO && 1', undefined],
    ['!HEADER_MACRO', undefined],
    ['KNOWN * 2 == 6 && !GONE && !defined(GONE)', 1n],
    ['HEADER_MACRO ? 1 : 1', 1n],
    ['KERNEL_VERSION(6, 1, 300) == 0x0601ff', 1n],
    ['__has_attribute(fallthrough)', undefined],
    ['1 / 0', undefined],
    ['(1', undefined],
    ['"a string"', undefined],
  ];
  for (const [expression, value] of cases) assert.equal(evaluateCondition(expression, lookup), value, expression);
});

test('a configuration is looked for next to the target (Debian names it config-RELEASE) and in the source root', () => {
  inTempDir((dir) => {
    const boot = path.join(dir, 'boot');
    mkdirSync(boot);
    writeFileSync(path.join(boot, 'config-6.1.0-99-amd64'), 'CONFIG_SMP=y\n');
    assert.equal(kernelConfigPath({ target: path.join(boot, 'vmlinux-6.1.0-99-amd64') }), path.join(boot, 'config-6.1.0-99-amd64'));
    const root = path.join(dir, 'linux');
    mkdirSync(path.join(root, 'include', 'generated'), { recursive: true });
    writeFileSync(path.join(root, 'include', 'generated', 'autoconf.h'), '#define CONFIG_SMP 1\n');
    assert.equal(kernelConfigPath({ sourceRoot: root }), path.join(root, 'include', 'generated', 'autoconf.h'));
    assert.equal(kernelConfigPath({ configured: root, sourceRoot: root }), path.join(root, '.config'), 'a configured directory names its .config');
    assert.equal(kernelConfigPath({ target: path.join(dir, 'xen-syms') }), undefined);
  });
});

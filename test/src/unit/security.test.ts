import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { findFunctionDefinition } from '../../../server/out/c/findDefinition';
import { fixesFor } from '../../../server/out/checks/fixes';
import { analyzePatch } from '../../../server/out/checks/patch';
import { readElf } from '../../../server/out/elf';
import { targetKey } from '../../../server/out/target/buildTargetIndexData';
import { cacheFile } from '../../../server/out/target/targetCache';
import { fromRoot, repoRoot } from '../support/paths';

// Issue 13 part 8: payloads, patches, sources and workspace settings are untrusted. No shell
// ever sees them, and nothing they contain chooses a path the engine writes to.

function sourceFiles(dir: string): string[] {
  return readdirSync(fromRoot(dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) && !/(^|\/)(node_modules|out)\//.test(path.join(entry.parentPath, entry.name)))
    .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)));
}

const parse = (name: string, text: string) => ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, name.endsWith('ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

const childProcessModule = /^(node:)?child_process$/;
/** The child_process functions that take the program and its arguments apart: no shell parses them. */
const argumentArrayCalls = new Set(['execFile', 'execFileSync', 'spawn', 'spawnSync', 'fork']);

/** Every way the file could hand a command line to a shell, with its line. */
function shellProblems(name: string, text: string): string[] {
  const file = parse(name, text);
  const problems: string[] = [];
  const at = (node: ts.Node, what: string) => problems.push(`${name}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const imported = new Map<string, string>();
  walk(file, (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && childProcessModule.test(node.moduleSpecifier.text)) {
      const bindings = node.importClause?.namedBindings;
      if (node.importClause?.isTypeOnly) return;
      if (node.importClause?.name || !bindings || ts.isNamespaceImport(bindings)) at(node, 'child_process imported whole: import the argument-array functions by name');
      else
        for (const element of bindings.elements.filter((e) => !e.isTypeOnly)) {
          const original = (element.propertyName ?? element.name).text;
          if (!argumentArrayCalls.has(original)) at(element, `${original} runs its command through a shell`);
          imported.set(element.name.text, original);
        }
    }
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'require' &&
      node.arguments.some((a) => ts.isStringLiteral(a) && childProcessModule.test(a.text))
    ) {
      at(node, 'child_process required: import the argument-array functions by name');
    }
    if (ts.isPropertyAssignment(node) && node.name.getText(file) === 'shell' && node.initializer.kind !== ts.SyntaxKind.FalseKeyword) at(node, 'shell option');
    if (ts.isShorthandPropertyAssignment(node) && node.name.text === 'shell') at(node, 'shell option');
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && imported.has(node.expression.text)) {
      const [program, args] = node.arguments;
      const fn = imported.get(node.expression.text)!;
      // `fork(module, args)` runs Node itself on a module; the others name a program.
      if (!program || !(ts.isStringLiteral(program) || ts.isIdentifier(program) || ts.isPropertyAccessExpression(program) || ts.isNoSubstitutionTemplateLiteral(program))) {
        at(node, `${fn}: the program is built (${program ? ts.SyntaxKind[program.kind] : 'missing'}), not named`);
      }
      if (!args || !(ts.isArrayLiteralExpression(args) || ts.isIdentifier(args))) at(node, `${fn}: no argument array`);
    }
  });
  return problems;
}

test('no shell command: child_process only through execFile/spawn/fork with an argument array, never shell: true (server, client, scripts, bench)', () => {
  const files = ['server/src', 'client/src', 'scripts', 'bench'].flatMap(sourceFiles);
  assert.ok(files.some((f) => f.startsWith('server/src/')) && files.some((f) => f.startsWith('bench/')), 'the scan sees the tree');
  const users = files.filter((f) => /child_process/.test(readFileSync(fromRoot(f), 'utf8')));
  assert.ok(users.includes('server/src/c/findDefinition.ts') && users.includes('client/src/languageClient.ts'), `the known users are scanned: ${users.join(', ')}`);
  assert.deepEqual(
    files.flatMap((f) => shellProblems(f, readFileSync(fromRoot(f), 'utf8'))),
    [],
  );
});

test('the scan finds each way to reach a shell', () => {
  const cases: Array<[string, RegExp]> = [
    ["import { exec } from 'node:child_process'; exec(`rg ${name}`);", /exec runs its command through a shell/],
    ["import { execSync } from 'child_process'; execSync('make');", /execSync runs its command through a shell/],
    ["import * as cp from 'node:child_process'; cp.exec('ls');", /imported whole/],
    ["const cp = require('child_process');", /required/],
    ["import { spawn } from 'node:child_process'; spawn('sh', ['-c', text], { shell: true });", /shell option/],
    ["import { spawn } from 'node:child_process'; const shell = '/bin/sh'; spawn('x', [], { shell });", /shell option/],
    ["import { execFile } from 'node:child_process'; execFile(`${tool} --json`, []);", /the program is built \(TemplateExpression\)/],
    ["import { execFile } from 'node:child_process'; execFile('rg ' + pattern);", /the program is built \(BinaryExpression\)/],
    ["import { spawnSync as run } from 'node:child_process'; run('gcc', flags.join(' '));", /spawnSync: no argument array/],
  ];
  for (const [code, problem] of cases) assert.match(shellProblems('case.ts', code).join('\n'), problem, code);
  assert.deepEqual(shellProblems('ok.ts', "import { execFile } from 'node:child_process'; execFile('rg', ['-e', pattern, '--', root], { timeout: 5 });"), []);
});

/** fs functions that create, change or remove files. */
const writeFunctions = new Set(
  [
    'writeFile',
    'appendFile',
    'createWriteStream',
    'mkdir',
    'mkdtemp',
    'rename',
    'copyFile',
    'cp',
    'rm',
    'rmdir',
    'unlink',
    'symlink',
    'link',
    'truncate',
    'chmod',
    'utimes',
    'open',
  ].flatMap((name) => [name, `${name}Sync`]),
);
const fsModule = /^(node:)?fs(\/promises)?$/;

/** The lines of a file that call an fs function that writes: by name, or through the module object. */
function fsWrites(name: string, text: string): number[] {
  const file = parse(name, text);
  const named = new Set<string>();
  const modules = new Set<string>();
  const lines: number[] = [];
  walk(file, (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && fsModule.test(node.moduleSpecifier.text) && !node.importClause?.isTypeOnly) {
      const bindings = node.importClause?.namedBindings;
      if (node.importClause?.name) modules.add(node.importClause.name.text);
      if (bindings && ts.isNamespaceImport(bindings)) modules.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          const original = (element.propertyName ?? element.name).text;
          if (writeFunctions.has(original)) named.add(element.name.text);
          if (original === 'promises') modules.add(element.name.text);
        }
      }
    }
    if (!ts.isCallExpression(node)) return;
    const callee = node.expression;
    // open(path, 'r') only reads; any other flag (or a computed one) may write.
    const flags = node.arguments[1];
    if (/^open(Sync)?$/.test(ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.getText(file)) && flags && ts.isStringLiteral(flags) && flags.text === 'r') return;
    const throughModule =
      ts.isPropertyAccessExpression(callee) &&
      writeFunctions.has(callee.name.text) &&
      /^\w+(\.promises)?$/.test(callee.expression.getText(file)) &&
      modules.has(callee.expression.getText(file).split('.')[0]);
    if (throughModule || (ts.isIdentifier(callee) && named.has(callee.text))) lines.push(file.getLineAndCharacterOfPosition(node.getStart()).line + 1);
  });
  return lines;
}

/**
 * Every place the engine writes to disk, and where its paths come from. A new one fails this
 * test until someone has checked that no payload, patch or source chooses its path.
 */
const reviewedWriters: Record<string, string> = {
  'server/src/target/targetCache.ts': 'the target index cache: the cache directory (XDG_CACHE_HOME or the option) joined with the build-id as hex, or nobuildid- and a SHA-1',
  'server/src/machines/machineCache.ts':
    "the real machines' initramfs and unpacked Xen: XDG_CACHE_HOME/livepatch-lens/KIND joined with a SHA-256 of the inputs as hex (a name of word characters only)",
  'server/src/machines/qemuMachine.ts': "a machine's QMP socket: a folder mkdtemp makes in os.tmpdir(), removed when the machine ends or the process exits",
  'server/src/machines/machineState.ts':
    "a checkpoint's saved state: the fixed name `state` in a folder mkdtemp makes in os.tmpdir(), removed by dispose() or when the process exits",
};

test("the engine writes files in reviewed places only: the target cache, the real machines' cache and their temporary control files", () => {
  const writers = sourceFiles('server/src').filter((f) => fsWrites(f, readFileSync(fromRoot(f), 'utf8')).length);
  assert.deepEqual(writers.sort(), Object.keys(reviewedWriters).sort());
  // The scan itself sees writes however fs is imported.
  assert.deepEqual(fsWrites('a.ts', "import * as fs from 'node:fs'; fs.writeFileSync(p, d); fs.promises.rm(p);"), [1, 1]);
  assert.deepEqual(fsWrites('b.ts', "import { promises as fsp, createWriteStream as out } from 'fs';\nout(p);\nfsp.mkdir(p);\nlink(p);"), [2, 3]);
  assert.deepEqual(fsWrites('c.ts', "import { writeFile } from 'node:fs/promises';\nawait writeFile(p, d);"), [2]);
  assert.deepEqual(fsWrites('d.ts', "import { openSync } from 'node:fs';\nopenSync(p, 'r');\nopenSync(p, 'w');\nopenSync(p, flags);"), [3, 4]);
});

test('the cache file is named by the build-id as hex (or a hash), so a target cannot steer it out of the cache directory', () => {
  const cacheDir = path.join(tmpdir(), 'livepatch-cache');
  const sampleTarget = fromRoot('samples/build/target/sample-target');
  const elf = readElf(sampleTarget);
  const withId = targetKey(sampleTarget, elf.buildId());
  elf.close();
  assert.match(withId, /^[0-9a-f]{16,}$/);
  const object = fromRoot('samples/build/target/exit.o');
  const objectElf = readElf(object);
  const withoutId = targetKey(object, objectElf.buildId());
  objectElf.close();
  assert.match(withoutId, /^nobuildid-[0-9a-f]{40}$/);
  for (const key of [withId, withoutId]) assert.equal(path.dirname(cacheFile(cacheDir, key)), cacheDir);
});

const hostilePatch = (target: string): string =>
  readFileSync(fromRoot('samples/patches/task-struct-layout.patch'), 'utf8').split('diff --git a/target')[0].replaceAll('include/linux/sched.h', target);

test('a patch naming ../../../etc/x.h: its shadow skeleton is still created beside the patch, and nothing outside the source root is read', async (t) => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'livepatch-security-'));
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  const patchFile = path.join(workspace, 'hostile.patch');
  const text = hostilePatch('../../../etc/x.h');
  writeFileSync(patchFile, text);
  assert.match(text, /^\+\+\+ b\/\.\.\/\.\.\/\.\.\/etc\/x\.h$/m);
  const findings = await analyzePatch(text, { file: patchFile });
  const layout = findings.find((f) => f.code === 'LP220');
  assert.ok(layout, findings.map((f) => f.code).join());
  const [fix] = fixesFor(layout, text);
  assert.ok(fix?.createFile);
  assert.equal(fix.createFile.path, path.join(workspace, 'task_struct_shadow.c'));

  // With a source root, the original is looked for inside it only: a file outside is "not found".
  const sourceRoot = path.join(workspace, 'tree');
  mkdirSync(sourceRoot);
  copyFileSync(fromRoot('samples/include/linux/sched.h'), path.join(workspace, 'outside.h'));
  copyFileSync(fromRoot('samples/include/linux/sched.h'), path.join(sourceRoot, 'inside.h'));
  const notFound = (found: Awaited<ReturnType<typeof analyzePatch>>) => found.filter((f) => /can't find file to patch/.test(f.message));
  const escaped = await analyzePatch(hostilePatch('../outside.h'), { file: patchFile, sourceRoot });
  assert.equal(notFound(escaped).length, 1, escaped.map((f) => `${f.code} ${f.message}`).join('\n'));
  assert.match(notFound(escaped)[0].message, /\.\.\/outside\.h is not in the source root/);
  assert.deepEqual(notFound(await analyzePatch(hostilePatch('inside.h'), { file: patchFile, sourceRoot })), [], 'the same file inside the tree is read');
});

test('a hostile type name cannot steer the skeleton file either: it is reduced to an identifier', () => {
  const data = { kind: 'shadowSkeleton', type: '../../../../etc/cron.d/x', kindOfType: 'struct', added: [{ name: 'm', type: 'int' }], differences: ['m added'] };
  const [fix] = fixesFor(
    { code: 'LP220', severity: 'error', message: '', file: 'file:///ws/dir/p.patch', range: { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } }, data },
    '',
  );
  assert.ok(fix?.createFile);
  assert.equal(path.posix.dirname(fix.createFile.path), 'file:///ws/dir');
  assert.match(path.posix.basename(fix.createFile.path), /^\w+_shadow\.c$/);
});

test('a source root that looks like an option is passed to ripgrep as a path, after --', async (t) => {
  // Read as an option (`--pre=PROGRAM` runs PROGRAM on every file searched), it would leave rg
  // with no path: it would wait on its stdin until the timeout and search nothing.
  const scratch = mkdtempSync(path.join(tmpdir(), 'livepatch-rg-'));
  const cwd = process.cwd();
  t.after(() => {
    process.chdir(cwd);
    rmSync(scratch, { recursive: true, force: true });
  });
  const root = '--pre=true';
  mkdirSync(path.join(scratch, root));
  writeFileSync(path.join(scratch, root, 'a.c'), 'static int probe_me(void)\n{\n\treturn 0;\n}\n');
  process.chdir(scratch);
  const started = Date.now();
  const found = await findFunctionDefinition(root, 'probe_me', 8000);
  assert.deepEqual(
    found.map((f) => [f.file, f.line]),
    [[`${root}/a.c`, 0]],
  );
  assert.ok(Date.now() - started < 4000, `ripgrep searched the tree at once (${Date.now() - started} ms), it did not wait for its timeout`);
});

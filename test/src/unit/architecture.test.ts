import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { fromRoot, repoRoot } from '../support/paths';

// The layout's promises (DESIGN.md §2), read from the sources themselves: the engine knows nothing
// of LSP or VS Code so the CLI and the tests drive it directly; data flows one way; and no two
// files need each other, type imports included, so any file can be read, tested and moved alone.

/**
 * The engine's folders from the bottom up; a file may import its own folder and the ones before.
 * `scenario` sits below `emulator` and `machines`: it is the language both of them run and the
 * runner over the machine interface they implement, so they import its command and result types
 * and cli/features hand it a machine, never the other way round.
 */
const serverLayers: readonly (readonly string[])[] = [
  ['limits', 'cacheHome'],
  ['elf'],
  ['target', 'payload'],
  ['c'],
  ['diff'],
  ['checks'],
  ['scenario'],
  ['emulator', 'machines'],
  ['protocol'],
  ['cli', 'features'],
  ['cli.ts', 'server'],
  ['main'],
];

/** Where LSP may be spoken: the wiring and the features that answer requests. */
const lspSpeakers = /^server\/src\/(main\.ts|server\.ts|features\/)/;
const lspModules = /^vscode-languageserver|^vscode-jsonrpc|^vscode-languageclient|^vscode$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(fromRoot(dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)));
}

/** Every module the file names in an import, an export-from or an import(), type-only ones too. */
function importedModules(file: string): string[] {
  return ts.preProcessFile(readFileSync(fromRoot(file), 'utf8'), true, true).importedFiles.map((imported) => imported.fileName);
}

/** The repository file a relative specifier names, or undefined for a package. */
function resolved(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.join(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => existsSync(fromRoot(candidate)));
}

function importGraph(files: readonly string[]): Map<string, string[]> {
  return new Map(files.map((file) => [file, importedModules(file).flatMap((specifier) => resolved(file, specifier) ?? [])]));
}

/** The strongly connected groups of more than one file (Tarjan), each a cycle of imports. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    order.set(file, order.size);
    low.set(file, order.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, order.get(next)!));
    }
    if (low.get(file) !== order.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1) found.push(group.sort());
  };
  for (const file of graph.keys()) if (!order.has(file)) visit(file);
  return found;
}

/** `server/src/emulator/xen/upload.ts` -> `emulator`; `server/src/cli.ts` -> `cli.ts`. */
function serverFolder(file: string): string {
  const [first, ...rest] = path.relative('server/src', file).split(path.sep);
  return rest.length > 0 ? first : first === 'cli.ts' ? first : first.replace(/\.ts$/, '');
}

function layerOf(file: string): number {
  const layer = serverLayers.findIndex((folders) => folders.includes(serverFolder(file)));
  assert.notEqual(layer, -1, `${file}: its folder ${serverFolder(file)} has no place in the layers of this test; add it where it belongs`);
  return layer;
}

const serverFiles = sourceFiles('server/src');
const clientFiles = sourceFiles('client/src');
const serverGraph = importGraph(serverFiles);

test('only main.ts, server.ts and features/ speak LSP; no engine file imports vscode', () => {
  const speakers = serverFiles.filter((file) => !lspSpeakers.test(file) && importedModules(file).some((module) => lspModules.test(module)));
  assert.deepEqual(speakers, []);
});

test('the engine imports only downward: each folder the ones below it in DESIGN.md', () => {
  const upward = [...serverGraph].flatMap(([file, imports]) =>
    imports.filter((target) => layerOf(target) > layerOf(file)).map((target) => `${file} imports ${target} (${serverFolder(file)} is below ${serverFolder(target)})`),
  );
  assert.deepEqual(upward, []);
});

test('no import cycles in the server, type-only imports included', () => {
  assert.deepEqual(cycles(serverGraph), []);
});

test('no import cycles in the client', () => {
  assert.deepEqual(cycles(importGraph(clientFiles)), []);
});

/** The modules the file needs when it runs: imports that are not `import type` nor all-type names. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(fromRoot(file), 'utf8'), ts.ScriptTarget.Latest);
  return source.statements.flatMap((statement) => {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier) return [];
    const clause = ts.isImportDeclaration(statement) ? statement.importClause : statement;
    if (clause?.isTypeOnly) return [];
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : statement.exportClause;
    const named = bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings)) ? bindings.elements : undefined;
    const onlyTypes =
      named !== undefined && named.length > 0 && named.every((element) => element.isTypeOnly) && !(ts.isImportDeclaration(statement) && statement.importClause?.name);
    if (onlyTypes) return [];
    return resolved(file, (statement.moduleSpecifier as ts.StringLiteral).text) ?? [];
  });
}

/** The engine's vocabulary the thin client may share: messages, limits and the scenario language. */
const clientVocabulary = /^server\/src\/(protocol\.ts|limits\.ts|scenario\/)/;

test('the client shares only the engine vocabulary, and it brings no engine code along', () => {
  const reached = new Set<string>();
  const pending = clientFiles.flatMap((file) => runtimeImports(file).filter((target) => target.startsWith('server/')));
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    pending.push(...runtimeImports(file));
  }
  assert.deepEqual(
    [...reached].filter((file) => !clientVocabulary.test(file)),
    [],
  );
});

test('the cycle finder and the layer order can fail', () => {
  assert.deepEqual(
    cycles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
        ['d', ['a']],
      ]),
    ),
    [['a', 'b', 'c']],
  );
  assert.ok(layerOf('server/src/emulator/xen/upload.ts') > layerOf('server/src/checks/finding.ts'));
  assert.ok(layerOf('server/src/scenario/command.ts') < layerOf('server/src/machines/guestShell.ts'));
});

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

/**
 * The WASM files sit next to the bundle (dist/) in a packaged extension and in node_modules
 * when the engine runs from tsc output (tests); look beside the running code first.
 */
function locate(file: string, packageEntry: string, dir: string | undefined): string {
  const besideUs = path.join(dir ?? __dirname, file);
  if (existsSync(besideUs) || dir) return besideUs;
  return require.resolve(packageEntry);
}

let language: Promise<Language> | undefined;
let loadedFrom: string | undefined;

/** Loads the tree-sitter runtime and the C grammar once per process. */
export function loadCLanguage(wasmDir?: string): Promise<Language> {
  language ??= (async () => {
    const runtime = locate('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm', wasmDir);
    await Parser.init({ locateFile: () => runtime });
    loadedFrom = locate('tree-sitter-c.wasm', 'tree-sitter-c/tree-sitter-c.wasm', wasmDir);
    return Language.load(loadedFrom);
  })();
  return language;
}

/** Where the C grammar was loaded from (tests prove the bundle's copy is the one used). */
export function cGrammarPath(): string | undefined {
  return loadedFrom;
}

export async function createCParser(wasmDir?: string): Promise<Parser> {
  const c = await loadCLanguage(wasmDir);
  const parser = new Parser();
  parser.setLanguage(c);
  return parser;
}

let shared: Promise<Parser> | undefined;

/**
 * One parser for the process's one-shot parses (the CLI, patch analysis). A parser holds no tree
 * between calls, so sharing it is safe; open documents keep their own in DocumentTrees.
 */
export function sharedCParser(): Promise<Parser> {
  shared ??= createCParser();
  return shared;
}

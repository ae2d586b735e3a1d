import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface DefinitionLocation {
  file: string;
  /** 0-based. */
  line: number;
  column: number;
}

/** A function definition in kernel style: the name at the start of a line or after its return type, `(` next. */
const definitionPattern = (name: string) => `^[A-Za-z_][^;=]*\\b${name}\\(`;

/**
 * Where `name` is defined in the source tree: ripgrep when it is there (a kernel tree takes it
 * about a second), else a walk of the .c files. Prototypes (ending in `;`) are not definitions.
 */
export async function findFunctionDefinition(sourceRoot: string, name: string, timeoutMs = 5000): Promise<DefinitionLocation[]> {
  if (!/^[A-Za-z_]\w*$/.test(name) || !existsSync(sourceRoot)) return [];
  const viaRipgrep = await ripgrep(sourceRoot, name, timeoutMs).catch(() => undefined);
  return viaRipgrep ?? walk(sourceRoot, name, Date.now() + timeoutMs);
}

/** The part of a `rg --json` match event read here. */
interface RipgrepMatch {
  data: { path: { text: string }; lines: { text?: string }; line_number: number };
}

function ripgrep(root: string, name: string, timeoutMs: number): Promise<DefinitionLocation[]> {
  return new Promise((resolve, reject) => {
    execFile('rg', ['--json', '-g', '*.c', '-e', definitionPattern(name), '--', root], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout) => {
      // rg exits 1 when nothing matched: an answer, not a failure.
      if (error && error.code !== 1) return reject(new Error(`rg: ${error.message}`));
      const found: DefinitionLocation[] = [];
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{"type":"match"')) continue;
        const match = (JSON.parse(line) as RipgrepMatch).data;
        const text = match.lines.text ?? '';
        if (text.trimEnd().endsWith(';')) continue;
        found.push({ file: match.path.text, line: match.line_number - 1, column: text.indexOf(`${name}(`) });
      }
      resolve(found);
    });
  });
}

function walk(root: string, name: string, deadline: number): DefinitionLocation[] {
  const pattern = new RegExp(definitionPattern(name), 'm');
  const found: DefinitionLocation[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (Date.now() > deadline) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('.')) visit(full);
      else if (entry.isFile() && entry.name.endsWith('.c')) {
        const text = readFileSync(full, 'utf8');
        if (!pattern.test(text)) continue;
        text.split('\n').forEach((line, i) => {
          if (new RegExp(definitionPattern(name)).test(line) && !line.trimEnd().endsWith(';')) found.push({ file: full, line: i, column: line.indexOf(`${name}(`) });
        });
      }
    }
  };
  visit(root);
  return found;
}

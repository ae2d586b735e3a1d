// Preprocessor conditionals on real kernel sources: every .c file of kernel/, mm/ and fs/ of
// Debian's linux-source-6.1, read three ways, each file parsed as the patch classifier parses it
// (kernel attribute macros masked):
// - raw: the text as it is (what tree-sitter was given before conditionals.ts);
// - first branch: one branch of each conditional chosen, conditions on CONFIG_* unknown;
// - configured: chosen with Debian's .config (linux-headers-6.1.0-*-amd64).
// It counts the files with a syntax error (an ERROR or MISSING node) and those nodes, and times
// the choosing and the parse. With --patches DIR it writes instead one patch per file that adds
// an #include above the first #if block among the includes (after the last include when there
// is none) and a blank line in the middle of the file, changes that compile and change no code,
// for `livepatch-lens check --source-root` to count LP203 and other findings on.
// Needs: an extracted linux-source-6.1 (LINUX_SOURCE, default /work/linux-source-6.1 or
// bench/out/linux-source-6.1) and `npm run build`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tree = [process.env.LINUX_SOURCE, '/work/linux-source-6.1', path.join(root, 'bench', 'out', 'linux-source-6.1')].find((d) => d && existsSync(path.join(d, 'kernel')));
if (!tree) {
  console.log('skipped: no extracted linux-source-6.1 (apt-get install linux-source-6.1, extract it, set LINUX_SOURCE)');
  process.exit(0);
}
const headers = existsSync('/usr/src') ? readdirSync('/usr/src').find((d) => /^linux-headers-6\.1\..*-amd64$/.test(d)) : undefined;
const configFile = headers ? path.join('/usr/src', headers, '.config') : undefined;

const { createCParser } = require(path.join(root, 'server/out/c/cParser'));
const { compiledBranches } = require(path.join(root, 'server/out/c/conditionals'));
const { readKernelConfig } = require(path.join(root, 'server/out/c/kernelConfig'));
const { maskKernelMacros } = require(path.join(root, 'server/out/c/sourceFacts/kernelAttributes'));

const parser = await createCParser();
const config = configFile && existsSync(configFile) ? readKernelConfig(configFile) : undefined;
const files = execFileSync('find', ['kernel', 'mm', 'fs', '-name', '*.c'], { cwd: tree, encoding: 'utf8' }).trim().split('\n').sort();

function errorNodes(text) {
  const parsed = parser.parse(maskKernelMacros(text));
  let count = 0;
  if (parsed.rootNode.hasError) {
    const cursor = parsed.walk();
    for (let more = true; more;) {
      if (cursor.nodeType === 'ERROR' || cursor.nodeIsMissing) count++;
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling())
        if (!cursor.gotoParent()) {
          more = false;
          break;
        }
    }
    cursor.delete();
  }
  parsed.delete();
  return count;
}

const patches = process.argv.includes('--patches') ? process.argv[process.argv.indexOf('--patches') + 1] : undefined;
if (patches) {
  writePatches(patches);
  process.exit(0);
}

const ways = { raw: (t) => t, 'first branch': (t) => compiledBranches(t).text, ...(config ? { configured: (t) => compiledBranches(t, config).text } : {}) };
const totals = Object.fromEntries(Object.keys(ways).map((w) => [w, { files: 0, nodes: 0, chooseMs: 0, parseMs: 0, assumed: 0 }]));
const worse = [];
for (const file of files) {
  const text = readFileSync(path.join(tree, file), 'utf8');
  const counts = {};
  for (const [way, choose] of Object.entries(ways)) {
    const t0 = performance.now();
    const chosen = choose(text);
    const t1 = performance.now();
    const nodes = errorNodes(chosen);
    const t2 = performance.now();
    const total = totals[way];
    total.chooseMs += t1 - t0;
    total.parseMs += t2 - t1;
    total.nodes += nodes;
    if (nodes) total.files++;
    counts[way] = nodes;
  }
  if (counts['first branch'] > counts.raw) worse.push(`${file}: ${counts.raw} -> ${counts['first branch']}`);
}
console.log(`${files.length} .c files of kernel/ mm/ fs/ in ${tree}${config ? `; configured with ${config.path}` : '; no Debian .config found'}`);
for (const [way, t] of Object.entries(totals)) {
  console.log(
    `${way.padEnd(13)} files with a syntax error ${String(t.files).padStart(5)}, ERROR/MISSING nodes ${String(t.nodes).padStart(6)}, choosing ${(t.chooseMs / 1000).toFixed(2)} s, parsing ${(t.parseMs / 1000).toFixed(2)} s`,
  );
}
if (worse.length) console.log(`more errors with the first branch than raw in ${worse.length} files:\n  ${worse.slice(0, 20).join('\n  ')}`);

function writePatches(patches) {
  mkdirSync(patches, { recursive: true });
  for (const file of files) {
    const lines = readFileSync(path.join(tree, file), 'utf8').split('\n');
    // The includes are what comes before the first code: the first line that opens a brace.
    const code = lines.findIndex((l) => l.includes('{'));
    const head = code < 0 ? lines : lines.slice(0, code);
    const firstIf = head.findIndex((l) => /^#\s*if/.test(l));
    const lastInclude = head.reduce((last, l, i) => (/^#\s*include/.test(l) ? i : last), -1);
    const includeAt = firstIf >= 0 && firstIf < lastInclude ? firstIf : lastInclude + 1;
    let middle = Math.max(includeAt + 8, Math.floor(lines.length / 2));
    // Not inside a macro continued over lines: a blank line there would end it.
    while (middle < lines.length && lines[middle - 1].endsWith('\\')) middle++;
    const edited = [...lines];
    if (middle < lines.length) edited.splice(middle, 0, '');
    edited.splice(includeAt, 0, '#include <linux/kernel.h>');
    const a = path.join(patches, 'a.tmp');
    const b = path.join(patches, 'b.tmp');
    writeFileSync(a, lines.join('\n'));
    writeFileSync(b, edited.join('\n'));
    let diff = '';
    try {
      execFileSync('diff', ['-u', '--label', `a/${file}`, '--label', `b/${file}`, a, b], { encoding: 'utf8' });
    } catch (error) {
      diff = error.stdout;
    }
    writeFileSync(path.join(patches, `${file.replace(/\//g, '__')}.patch`), diff);
  }
  rmSync(path.join(patches, 'a.tmp'));
  rmSync(path.join(patches, 'b.tmp'));
  console.log(`wrote ${files.length} patches to ${patches}`);
}

// Latency per keystroke on a large real file: kernel/sched/core.c from Debian's linux-source-6.1
// (about 11,000 lines), measured two ways, with a fresh full parse in the same run as reference:
// - diagnostics: what the server does for a didChange: apply the change, edit the tree, and run
//   the LP1xx checks, re-parsing only when the text can have findings (core.c cannot);
// - tree on demand: the same plus the incremental re-parse a hover or the outline would need.
// Needs: apt-get install linux-source-6.1 (skips with a message otherwise) and `npm run build`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tarball = '/usr/src/linux-source-6.1.tar.xz';
if (!existsSync(tarball)) {
  console.log(`skipped: ${tarball} is not installed (apt-get install linux-source-6.1)`);
  process.exit(0);
}
const out = path.join(root, 'bench', 'out');
const file = path.join(out, 'linux-source-6.1', 'kernel', 'sched', 'core.c');
if (!existsSync(file)) {
  mkdirSync(out, { recursive: true });
  execFileSync('tar', ['-xJf', tarball, '-C', out, 'linux-source-6.1/kernel/sched/core.c']);
}

const { createCParser } = require(path.join(root, 'server/out/c/cParser'));
const { DocumentTrees } = require(path.join(root, 'server/out/c/documentTrees'));
const { analyzeSource, sourceNeedsAnalysis } = require(path.join(root, 'server/out/checks/source/analyzeSource'));
const { findLivepatchConstructs } = require(path.join(root, 'server/out/c/livepatchConstructs'));
const { OpenDocuments } = require(path.join(root, 'server/out/features/openDocuments'));
const { TextDocument } = require('vscode-languageserver-textdocument');

const parser = await createCParser();
const text = readFileSync(file, 'utf8');
const lines = text.split('\n').length;
const trees = new DocumentTrees(parser);
let document = TextDocument.create('file:///core.c', 'c', 1, text);
trees.open(document.uri, text);

// Typing inside function bodies: characters go in at the start of lines that hold a statement.
const statementLines = text
  .split('\n')
  .map((l, i) => [l, i])
  .filter(([l]) => /^\t+\S.*;$/.test(l))
  .map(([, i]) => i);
const typed = 'x = 1;';
const diagnosticsMs = [];
const treeMs = [];
const freshMs = [];
let findings = 0;
const keystroke = (edit) => {
  const line = statementLines[(edit * 7919) % statementLines.length];
  const character = edit % typed.length;
  const applied = OpenDocuments.apply(document, [{ range: { start: { line, character }, end: { line, character } }, text: typed[edit % typed.length] }], document.version + 1);
  document = applied.document;
  for (const step of applied.steps) trees.edit(document.uri, step.textBefore, step.start, step.oldEnd, step.inserted);
};
for (let edit = 0; edit < 200; edit++) {
  const t0 = performance.now();
  keystroke(edit);
  if (sourceNeedsAnalysis(document.getText())) findings += analyzeSource(trees.reparse(document.uri, document.getText()), { file }).length;
  diagnosticsMs.push(performance.now() - t0);
}
for (let edit = 200; edit < 400; edit++) {
  const t0 = performance.now();
  keystroke(edit);
  findings += findLivepatchConstructs(trees.reparse(document.uri, document.getText())).length;
  treeMs.push(performance.now() - t0);
  if (edit % 10 === 0) {
    const f0 = performance.now();
    parser.parse(document.getText()).delete();
    freshMs.push(performance.now() - f0);
  }
}

const pct = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const fresh = pct(freshMs, 50);
const row = (name, values) => `${name}: p50 ${pct(values, 50).toFixed(2)} ms, p95 ${pct(values, 95).toFixed(2)} ms (p95 / fresh parse ${(pct(values, 95) / fresh).toFixed(3)})`;
console.log(`kernel/sched/core.c: ${lines} lines, ${text.length} characters; 200 keystrokes each (${findings} findings, none expected in core.c)`);
console.log(row('diagnostics per keystroke (edit + LP1xx checks)', diagnosticsMs));
console.log(row('tree on demand per keystroke (edit + incremental re-parse + constructs)', treeMs));
console.log(`reference, fresh full parse: p50 ${fresh.toFixed(2)} ms`);
console.log(`aim (diagnostics p95 under 15 ms): ${pct(diagnosticsMs, 95) < 15 ? 'met' : 'NOT met'}`);

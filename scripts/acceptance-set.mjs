#!/usr/bin/env node
// The acceptance set (test/fixtures/acceptance/linux-6.1.json) run against Debian's real kernel:
// each case becomes a unified diff made by GNU diff from linux-source-6.1, plus its variants
// (shifted, fuzzed, reversed, corrupted), each variant confirmed by GNU `patch --dry-run` to be
// what it claims, then `check --target vmlinux --source-root TREE` judges it. The verdict is
// compared with what kpatch-build decides. Prints a table; --json writes the results.
//
//   node scripts/acceptance-set.mjs [--install | --install-only] [--json FILE] [--markdown] [--only ID]
//
// Needs `npm run build`, GNU diff and patch, and the pinned linux-source-6.1 and vmlinux -dbg
// packages (scripts/debian-artifacts.json); --install installs those when missing, otherwise a
// missing one prints `skipped: ...` and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { artifacts, ensurePackages, repoRoot } from './debian-packages.mjs';

const { values: options } = parseArgs({
  options: {
    install: { type: 'boolean', default: false },
    'install-only': { type: 'boolean', default: false },
    json: { type: 'string' },
    markdown: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});

const casesFile = path.join(repoRoot, 'test', 'fixtures', 'acceptance', 'linux-6.1.json');
const { cases } = JSON.parse(readFileSync(casesFile, 'utf8'));
const tarball = artifacts.files.sourceTarball;
const vmlinux = artifacts.files.vmlinux;
const kernelConfig = `/boot/config-${artifacts.linuxAbi}`;
const cli = path.join(repoRoot, 'dist', 'cli.js');

if (options.install || options['install-only']) ensurePackages(['linux-source-6.1', `linux-image-${artifacts.linuxAbi}-dbg`], (s) => console.log(`[acceptance] ${s}`));
if (options['install-only']) process.exit(0);
for (const [file, pkg] of [
  [tarball, 'linux-source-6.1'],
  [vmlinux, `linux-image-${artifacts.linuxAbi}-dbg`],
]) {
  if (!existsSync(file)) {
    console.log(`skipped: ${file} is not installed (apt-get install ${pkg}, or run with --install)`);
    process.exit(0);
  }
}
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);

const run = (program, args, input) => spawnSync(program, args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });

// Only the files the cases touch are extracted, once, into the cache: the whole tree is 1.5 GB.
const cacheRoot = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'livepatch-lens', 'acceptance');
const tree = path.join(cacheRoot, 'linux-source-6.1');
const touched = [...new Set(cases.flatMap((c) => c.edits.map((e) => e.file)))].sort();
const missing = touched.filter((f) => !existsSync(path.join(tree, f)));
if (missing.length) {
  mkdirSync(cacheRoot, { recursive: true });
  const r = run('tar', ['-xJf', tarball, '-C', cacheRoot, ...missing.map((f) => `linux-source-6.1/${f}`)]);
  if (r.status !== 0) throw new Error(`tar could not extract ${missing.join(', ')} from ${tarball}: ${r.stderr}`);
}

/** The new text of each touched file after a case's edits; each `find` must occur exactly once. */
function editedFiles(c) {
  const files = new Map();
  for (const { file, find, replace } of c.edits) {
    const text = files.get(file) ?? readFileSync(path.join(tree, file), 'utf8');
    const at = text.indexOf(find);
    if (at < 0 || text.indexOf(find, at + 1) >= 0) throw new Error(`${casesFile}: case ${c.id}: the text to find in ${file} occurs ${at < 0 ? 'nowhere' : 'more than once'}`);
    files.set(file, text.slice(0, at) + replace + text.slice(at + find.length));
  }
  return files;
}

/** GNU diff's unified diff of old against new text, labelled a/FILE and b/FILE as `patch -p1` wants. */
function unifiedDiff(file, oldText, newText, scratch) {
  const a = path.join(scratch, 'old');
  const b = path.join(scratch, 'new');
  writeFileSync(a, oldText);
  writeFileSync(b, newText);
  const r = run('diff', ['-u', '--label', `a/${file}`, '--label', `b/${file}`, a, b]);
  if (r.status !== 1) throw new Error(`diff ${file}: exit ${r.status} ${r.stderr}`);
  return `diff -u a/${file} b/${file}\n${r.stdout}`;
}

const firstHunkOldStart = (diff) => Number(/^@@ -(\d+)/m.exec(diff)[1]);

// A shifted variant is the same fix made on a tree with three more lines above it (a backport from a
// neighbouring stable release): `patch` finds the hunk 3 lines earlier. The lines go in at the blank
// line nearest above the first hunk, where a comment cannot fall inside a macro or a string.
function shiftedText(text, hunkStart) {
  const lines = text.split('\n');
  let at = hunkStart - 2;
  while (at > 0 && lines[at].trim() !== '') at--;
  lines.splice(at, 0, '/* backported: context differs */', '/* from the stable tree */', '/* of another release */');
  return lines.join('\n');
}

/** Rewrites the Nth context line (0-based) of the first hunk so that it matches nothing in the tree. */
function withContextLine(diff, which, rewrite) {
  const lines = diff.split('\n');
  const hunk = lines.findIndex((l) => l.startsWith('@@'));
  let seen = 0;
  for (let i = hunk + 1; i < lines.length && !lines[i].startsWith('@@'); i++) {
    if (!lines[i].startsWith(' ')) break;
    if (seen++ === which) {
      lines[i] = ' ' + rewrite(lines[i].slice(1));
      return lines.join('\n');
    }
  }
  throw new Error('the first hunk has too little leading context for this variant');
}
const leadingContext = (diff) => {
  const lines = diff.split('\n');
  let n = 0;
  for (let i = lines.findIndex((l) => l.startsWith('@@')) + 1; lines[i]?.startsWith(' '); i++) n++;
  return n;
};

/** Each case's patch and its variants, with what GNU patch must say about each. */
function variantsOf(c, scratch) {
  const edited = editedFiles(c);
  const original = (f) => readFileSync(path.join(tree, f), 'utf8');
  const diffs = [...edited].map(([f, text]) => ({ file: f, diff: unifiedDiff(f, original(f), text, scratch) }));
  const preamble = `From: Livepatch Lens acceptance set\nSubject: [PATCH] ${c.id}\n\n${c.why}\n---\n`;
  const whole = (parts) => preamble + parts.join('');
  const out = [{ variant: 'as-is', text: whole(diffs.map((d) => d.diff)), patchSays: /^(?!.*(offset|fuzz|Reversed|FAILED))/s }];
  const first = diffs[0];
  const rest = diffs.slice(1).map((d) => d.diff);
  for (const v of c.variants ?? []) {
    if (v === 'shifted') {
      const start = firstHunkOldStart(first.diff);
      const before = shiftedText(original(first.file), start);
      const after = shiftedText(edited.get(first.file), start);
      out.push({ variant: v, text: whole([unifiedDiff(first.file, before, after, scratch), ...rest]), patchSays: /offset -3 lines/ });
    } else if (v === 'fuzzed') {
      const text = withContextLine(first.diff, 0, (l) => (l.trim() === '' ? '/* stable: blank line */' : `${l} /* stable */`));
      out.push({ variant: v, text: whole([text, ...rest]), patchSays: /with fuzz 1/ });
    } else if (v === 'reversed') {
      const reversed = diffs.map((d) => unifiedDiff(d.file, edited.get(d.file), original(d.file), scratch));
      out.push({ variant: v, text: whole(reversed), patchSays: /Reversed \(or previously applied\) patch detected/, verdict: 'refuses' });
    } else if (v === 'corrupted') {
      // The context line next to the change: fuzz 2 may drop only the two outermost ones.
      const text = withContextLine(first.diff, leadingContext(first.diff) - 1, (l) => `${l} /* not in this tree */`);
      out.push({ variant: v, text: whole([text, ...rest]), patchSays: /FAILED/, verdict: 'refuses', expect: ['LP201'] });
    } else throw new Error(`${casesFile}: case ${c.id}: unknown variant ${v}`);
  }
  return out;
}

// Debian's .config (from the linux-image package) so the conditionals are judged as Debian compiled them.
const configArgs = existsSync(kernelConfig) ? ['--kernel-config', kernelConfig] : [];

run('node', [cli, 'target', vmlinux, '--function', 'cmdline_proc_show']); // warms the target cache, so timings are per patch
const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpl-acceptance-'));
const results = [];
try {
  for (const c of cases.filter((x) => !options.only || x.id === options.only)) {
    for (const v of variantsOf(c, scratch)) {
      const name = v.variant === 'as-is' ? c.id : `${c.id}~${v.variant}`;
      const patchFile = path.join(scratch, `${name}.patch`);
      writeFileSync(patchFile, v.text);
      // kpatch-build applies with `patch -N -p1`; -N makes a reversed patch fail instead of prompting.
      const oracle = run('patch', ['-N', '-p1', '--dry-run', '-d', tree, '-i', patchFile]);
      const oracleOutput = oracle.stdout + oracle.stderr;
      const variantIsWhatItClaims = v.patchSays.test(oracleOutput) && (oracle.status === 0) === (v.verdict !== 'refuses');
      const started = process.hrtime.bigint();
      const checked = run('node', [cli, 'check', '--target', vmlinux, '--source-root', tree, '--format', 'json', ...configArgs, patchFile]);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (checked.status === 2) throw new Error(`check ${name}: ${checked.stderr}`);
      const findings = JSON.parse(checked.stdout);
      const errors = [...new Set(findings.filter((f) => f.severity === 'error').map((f) => f.code))].sort();
      const expected = v.verdict ?? c.kpatch;
      const expect = v.expect ?? (v.variant === 'reversed' ? [] : (c.expect ?? []));
      const ours = errors.length ? 'refuses' : 'builds';
      const agrees = ours === expected && expect.every((id) => errors.includes(id));
      const known = c.knownDifferences?.[v.variant] ?? (v.variant === 'as-is' ? c.knownDifference : undefined);
      results.push({
        name,
        case: c.id,
        variant: v.variant,
        kpatch: expected,
        kpatchSays: v.verdict ? `patch file failed to apply` : (c.message ?? 'builds'),
        expect,
        ours,
        errors,
        findings: findings.map((f) => `${f.severity} ${f.code} ${path.basename(f.file)}:${f.line}: ${f.message}`),
        agrees,
        knownDifference: known,
        gnuPatch: { status: oracle.status, variantIsWhatItClaims, output: oracleOutput.trim() },
        seconds,
      });
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const agreed = results.filter((r) => r.agrees).length;
const falseErrors = results.filter((r) => r.kpatch === 'builds' && r.ours === 'refuses');
const missed = results.filter((r) => r.kpatch === 'refuses' && !r.agrees);
const times = results.map((r) => r.seconds).sort((a, b) => a - b);
const p = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
const summary = {
  patches: results.length,
  agreed,
  falseErrors: falseErrors.length,
  missedOrWrongId: missed.length,
  invalidVariants: results.filter((r) => !r.gnuPatch.variantIsWhatItClaims).length,
  p50Seconds: p(0.5),
  p95Seconds: p(0.95),
  kernelConfig: configArgs[1] ?? null,
};

const row = (r) =>
  `| ${r.name} | ${r.kpatch} | ${r.ours}${r.errors.length ? ` (${r.errors.join(', ')})` : ''} | ${r.agrees ? 'yes' : r.knownDifference ? 'known' : 'NO'} | ${r.seconds.toFixed(2)} |`;
if (options.markdown) {
  console.log('| patch | kpatch-build | Livepatch Lens | agree | s |\n|---|---|---|---|---|');
  for (const r of results) console.log(row(r));
} else {
  for (const r of results)
    console.log(
      `${r.agrees ? 'agree   ' : r.knownDifference ? 'known   ' : 'DISAGREE'} ${r.name.padEnd(44)} kpatch ${r.kpatch.padEnd(8)} ours ${r.ours.padEnd(8)} ${r.errors.join(',').padEnd(14)} ${r.seconds.toFixed(2)} s${r.gnuPatch.variantIsWhatItClaims ? '' : '  (GNU patch disagrees with the variant: ' + r.gnuPatch.output.split('\n').pop() + ')'}`,
    );
}
console.log(
  `${summary.agreed}/${summary.patches} agree with kpatch-build; false errors ${summary.falseErrors}; refusals missed or with another id ${summary.missedOrWrongId}; ` +
    `per patch p50 ${summary.p50Seconds.toFixed(2)} s, p95 ${summary.p95Seconds.toFixed(2)} s (warm target cache${summary.kernelConfig ? `, --kernel-config ${summary.kernelConfig}` : ''})`,
);
if (options.json) writeFileSync(options.json, JSON.stringify({ summary, results }, null, 2) + '\n');

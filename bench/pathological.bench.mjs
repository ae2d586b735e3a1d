// Pathological patches and C sources (issue 13): each input is generated in memory, analysed
// in a fresh process (so each peak RSS is its own), and set against a reference on the same
// input in the same run: GNU `patch --dry-run` for patches applied to a source root, a plain
// split into lines for patches read from their hunks alone, a fresh tree-sitter parse for the
// C files. Ours runs in a worker thread with the resource limits the server gives its analysis
// workers, as the server runs it. Aim: each under 1 s and 200 MB (for a C file, 200 MB over
// what its parse alone takes). A patch is analysed twice in its process: the aim is on the
// first, cold analysis (its CPU time: on a shared machine the wall time is mostly the others'
// load); the second is what a later edit costs the analysis worker. Needs `npm run build`;
// `LPL_BENCH_ONLY=name,name` runs some cases only.
import { spawnSync } from 'node:child_process';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// /proc reports a thread's times in USER_HZ, 100 a second on every Linux ABI (10 ms steps).
const clockTicks = 100;
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
if (!existsSync(path.join(root, 'server/out/checks/patch/index.js'))) {
  console.log('pathological.bench: server/out is not built; run `npm run build` first');
  process.exit(1);
}

const functionSource = (i) => `int f${i}(int x)\n{\n\tint y = x;\n\treturn y + ${i};\n}\n\n`;
const header = '--- a/t.c\n+++ b/t.c\n';

const klpArray = (count) => {
  const entries = Array.from({ length: count }, (_, i) => `\t{ .old_name = "function_${i}", .new_func = livepatch_function_${i}, },`);
  return `#include <linux/livepatch.h>\nstatic struct klp_func funcs[] = {\n${entries.join('\n')}\n\t{ }\n};\nstatic struct klp_object objs[] = { { .funcs = funcs, }, { } };\nstatic struct klp_patch patch = { .mod = THIS_MODULE, .objs = objs, };\n`;
};

/** Each case: the source root's t.c (if any), the patch or C text, and what it stands for. */
const cases = {
  'huge-line-number': {
    what: '92-byte patch, hunk at line 9007199254740993 (past 2^53)',
    source: () => functionSource(0),
    patch: () => `${header}@@ -9007199254740993,1 +9007199254740993,1 @@ int f0(int x)\n-\tint y = x;\n+\tint y = -x;\n`,
  },
  'past-the-end': {
    what: 'hunk at line 9007199254740991 of a 6-line file',
    source: () => functionSource(0),
    patch: () => `${header}@@ -9007199254740991,1 +9007199254740991,1 @@ int f0(int x)\n-\tint y = x;\n+\tint y = -x;\n`,
  },
  'patch-1mb': {
    what: '1 MB patch: 11,000 hunks, each 3 lines off where its header says',
    source: () => Array.from({ length: 11_000 }, (_, i) => functionSource(i)).join(''),
    patch: () =>
      header +
      Array.from({ length: 11_000 }, (_, i) => `@@ -${i * 6 + 6},2 +${i * 6 + 6},2 @@ int f${i}(int x)\n \tint y = x;\n-\treturn y + ${i};\n+\treturn y - ${i};\n`).join(''),
  },
  'lines-100kb': {
    what: 'five 100 KB lines (a word, a static declaration, unclosed comments, escaped quotes, a struct header with blanks)',
    source: () => functionSource(0),
    patch: () => {
      const long = ['a'.repeat(100_000), `\tstatic ${'x['.repeat(50_000)}`, `\t${'/* '.repeat(33_334)}`, `\tx = ${'\\"'.repeat(50_000)};`, `struct s${' '.repeat(100_000)}x`];
      return `${header}@@ -1,5 +1,${5 + long.length} @@\n int f0(int x)\n {\n \tint y = x;\n${long.map((l) => `+${l}`).join('\n')}\n \treturn y + 0;\n }\n`;
    },
  },
  'added-50k': {
    what: '50,000 added lines in one function',
    source: () => functionSource(0),
    patch: () => `${header}@@ -1,5 +1,50005 @@\n int f0(int x)\n {\n \tint y = x;\n${Array.from({ length: 50_000 }, (_, i) => `+\ty += ${i};`).join('\n')}\n \treturn y + 0;\n }\n`,
  },
  'globals-50k': {
    what: '50,000 added global definitions',
    source: () => functionSource(0),
    patch: () => `${header}@@ -6,0 +7,50000 @@\n${Array.from({ length: 50_000 }, (_, i) => `+int g${i} = ${i};`).join('\n')}\n`,
  },
  'patch-50mb': {
    what: '50 MB one-hunk patch, hunks only',
    patch: () => {
      const lines = Array.from({ length: 800_000 }, (_, i) => `+\tx${i} = x${i} + 1; /* a comment to make it longer */`);
      return `${header}@@ -1,3 +1,${lines.length + 3} @@ int f(void)\n {\n${lines.join('\n')}\n \treturn 0;\n }\n`;
    },
  },
  'c-20mb': {
    what: '20 MB C file: one klp_func array of 330,000 entries (past livepatch.limits.cParseMiB: refused before the parse)',
    c: () => klpArray(330_000),
  },
  'c-2mb': {
    what: '2.1 MB C file, just within the 2 MiB cParseMiB bound: 28,000 klp_func entries (bounds, parse, analysis and outline)',
    c: () => klpArray(28_000),
  },
};

/** Runs in the child: one case, ours or the reference, prints {ms, rssMb, ...}. */
async function child(name, side, dir) {
  const spec = cases[name];
  // CPU time besides wall time: on a shared 2-core machine the wall time is mostly the others' load.
  const cpuAt = (usage = process.cpuUsage()) => (usage.user + usage.system) / 1000;
  // The analysing thread's own CPU time, without V8's compiler and GC helper threads: what the
  // answer waits for on an idle machine, measured the same under load (Linux; NaN elsewhere).
  const threadCpuAt = () => {
    if (!existsSync('/proc/thread-self/stat')) return NaN;
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const [utime, stime] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 13)
      .map(Number);
    return ((utime + stime) * 1000) / clockTicks;
  };
  let cpuStart = 0;
  const out = (result) => console.log(JSON.stringify({ ...result, cpuMs: cpuAt() - cpuStart, rssMb: process.resourceUsage().maxRSS / 1024 }));
  if (spec.c) {
    const { createCParser } = await import(path.join(root, 'server/out/c/cParser.js'));
    const { parseableText } = await import(path.join(root, 'server/out/c/parseableText.js'));
    const parser = await createCParser();
    const text = spec.c();
    if (side === 'ref') {
      const parseStart = performance.now();
      cpuStart = cpuAt();
      parser.parse(text);
      return out({ ms: performance.now() - parseStart, bytes: text.length });
    }
    const { cParseBound, documentBounds } = await import(path.join(root, 'server/out/checks/documentBounds.js'));
    const { findLivepatchConstructs } = await import(path.join(root, 'server/out/c/livepatchConstructs.js'));
    const { analyzeSource } = await import(path.join(root, 'server/out/checks/source/analyzeSource.js'));
    const { outlineOf } = await import(path.join(root, 'server/out/features/analysis/outline.js'));
    const { encodePatchedSites } = await import(path.join(root, 'server/out/features/analysis/patchedSites.js'));
    const { patchedFunctions } = await import(path.join(root, 'server/out/checks/source/patchedFunctions.js'));
    // What the analysis worker does with the document (analyzeDocument.ts): the bounds, the parse, constructs once, the checks, the outline, the patched sites.
    const started = performance.now();
    cpuStart = cpuAt();
    const outOfBounds = documentBounds('big.c', text) ?? cParseBound('big.c', text);
    if (outOfBounds) return out({ ms: performance.now() - started, findings: [outOfBounds.code], said: outOfBounds.message.slice(0, 120) });
    const tree = parser.parse(parseableText(text).text);
    const parseMs = performance.now() - started;
    const constructs = findLivepatchConstructs(tree);
    const findings = analyzeSource(tree, { file: 'big.c' }, constructs);
    const symbols = outlineOf(constructs, 'big.c');
    encodePatchedSites(patchedFunctions(constructs));
    return out({ ms: performance.now() - started, parseMs, entries: constructs[0]?.entries.length, symbols: symbols.length, findings: findings.map((f) => f.code) });
  }
  const patch = spec.patch();
  if (side === 'ref') {
    if (!spec.source) {
      const started = performance.now();
      cpuStart = cpuAt();
      const lines = patch.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      return out({ ms: performance.now() - started, lines: lines.length });
    }
    writeFileSync(path.join(dir, 'p.patch'), patch);
    const started = performance.now();
    const run = spawnSync('patch', ['--dry-run', '-p1', '-d', dir, '-i', path.join(dir, 'p.patch')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    return out({ ms: performance.now() - started, status: run.status, said: (run.stdout + run.stderr).split('\n').filter(Boolean).slice(-1)[0]?.slice(0, 90) });
  }
  const { analyzePatch } = await import(path.join(root, 'server/out/checks/patch/index.js'));
  // Loaded before the clock starts, as the analysis worker loads it once when it starts.
  await (await import(path.join(root, 'server/out/c/cParser.js'))).sharedCParser();
  const started = performance.now();
  cpuStart = cpuAt();
  const threadStart = threadCpuAt();
  const options = { file: 'p.patch', ...(spec.source ? { sourceRoot: dir } : {}) };
  const findings = await analyzePatch(patch, options);
  const first = { ms: performance.now() - started, cpuMs: cpuAt() - cpuStart, threadCpuMs: threadCpuAt() - threadStart, rssMb: process.resourceUsage().maxRSS / 1024 };
  // The same analysis again, in the same process: what the analysis worker takes on each later edit of the patch (warm code, the original's definitions kept).
  const againStarted = performance.now();
  const againCpu = cpuAt();
  await analyzePatch(patch, options);
  const again = { againMs: performance.now() - againStarted, againCpuMs: cpuAt() - againCpu };
  return console.log(JSON.stringify({ ...first, ...again, bytes: patch.length, findings: [...new Set(findings.map((f) => f.code))] }));
}

if (!isMainThread) {
  await child(workerData.name, 'ours', workerData.dir);
} else if (process.argv[2] === '--child') {
  const [name, side, dir] = process.argv.slice(3);
  if (side === 'ref') {
    await child(name, side, dir);
  } else {
    // In a worker as the server's analysis runs: its young generation is the server's, and the process's CPU and peak RSS include both threads.
    const { analysisWorkerResourceLimits } = await import(path.join(root, 'server/out/features/analysis/analysisRunner.js'));
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { name, dir }, resourceLimits: analysisWorkerResourceLimits });
    await new Promise((resolve, reject) => worker.on('exit', resolve).on('error', reject));
  }
  process.exit(0);
} else {
  bench();
}

function measure(name, side, dir) {
  const run = spawnSync(process.execPath, ['--max-old-space-size=4096', fileURLToPath(import.meta.url), '--child', name, side, dir], { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) return { failed: (run.stderr || `timed out or killed (${run.signal})`).split('\n').slice(0, 3).join(' ') };
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

/** The cases, each ours and its reference in fresh processes of their own. */
function bench() {
  const only = process.env.LPL_BENCH_ONLY?.split(',');
  const load = () => (existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ')[0] : '?');
  console.log(`pathological inputs (node ${process.version}, load ${load()}); ratio = ours / reference`);
  let missed = 0;
  for (const [name, spec] of Object.entries(cases)) {
    if (only && !only.includes(name)) continue;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lpl-bench-'));
    try {
      if (spec.source) writeFileSync(path.join(dir, 't.c'), spec.source());
      const ours = measure(name, 'ours', dir);
      const ref = measure(name, 'ref', dir);
      const reference = spec.c ? 'fresh tree-sitter parse' : spec.source ? 'GNU patch --dry-run' : 'split into lines';
      if (ours.failed || ref.failed) {
        console.log(`${name}: ${spec.what}\n  FAILED: ${ours.failed ?? ''} ${ref.failed ?? ''}`);
        missed++;
        continue;
      }
      // A C file's memory is mostly tree-sitter's tree: the aim is 200 MB over what the parse alone takes.
      const met = ours.cpuMs < 1000 && ours.rssMb < 200 + (spec.c ? ref.rssMb : 0);
      if (!met) missed++;
      console.log(`${name}: ${spec.what}`);
      console.log(
        `  ours ${ours.ms.toFixed(0)} ms (CPU ${ours.cpuMs.toFixed(0)} ms${ours.threadCpuMs >= 0 ? `, of it the analysing thread ${ours.threadCpuMs.toFixed(0)} ms` : ''}), peak RSS ${ours.rssMb.toFixed(0)} MB${ours.findings ? `, findings ${ours.findings.join(' ') || 'none'}` : ''}${ours.entries ? `, ${ours.entries} entries` : ''}${ours.parseMs ? ` (parse ${ours.parseMs.toFixed(0)} ms)` : ''}${ours.said ? `: "${ours.said}..."` : ''}`,
      );
      if (ours.againMs !== undefined) console.log(`  ours again in the same process (as on a later edit): ${ours.againMs.toFixed(0)} ms (CPU ${ours.againCpuMs.toFixed(0)} ms)`);
      console.log(
        `  reference (${reference}) ${ref.ms.toFixed(0)} ms${ref.cpuMs !== undefined && !spec.source ? ` (CPU ${ref.cpuMs.toFixed(0)} ms)` : ''}, peak RSS ${ref.rssMb.toFixed(0)} MB${ref.said ? ` (${ref.said})` : ''}`,
      );
      console.log(
        `  ratio: time ${(ours.ms / Math.max(ref.ms, 0.01)).toFixed(2)}, memory ${(ours.rssMb / ref.rssMb).toFixed(2)}; aim (under 1 s of CPU, under 200 MB${spec.c ? ' over the parse' : ''}): ${met ? 'met' : 'NOT met'}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(missed ? `${missed} case(s) missed the aim` : 'every case met the aim');
}

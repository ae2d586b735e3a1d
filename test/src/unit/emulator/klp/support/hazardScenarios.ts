import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../../../support/paths';

// The sample scenarios of issue 10 §4 (samples/scenarios/*.sh) and what each must show, checked
// the same way whether the commands ran through `livepatch-lens emu` or the language server.
// Expected values come from the module sources and the target's ELF, never from the output.

/** One command's outcome, from emu --json or an LSP answer. */
export interface RanCommand {
  text: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  log: string[];
  rax?: bigint;
}

export const scenarioPath = (name: string): string => fromRoot('samples', 'scenarios', `${name}.sh`);
export const traceableTarget = fromRoot('samples', 'build', 'target-traceable-schedule', 'sample-target');
export const normalTarget = fromRoot('samples', 'build', 'target', 'sample-target');

const klpSource = (name: string): string => readFileSync(fromRoot('samples', 'payloads', 'klp', `${name}.c`), 'utf8');
/** The value a replacement returns: its `return N;`. */
const returned = (module: string): bigint => BigInt(/return (\d+);/.exec(klpSource(module))![1]);

/** The commands whose text starts with `prefix`, in order. */
function find(ran: RanCommand[], prefix: string): RanCommand[] {
  const hits = ran.filter((r) => r.text.startsWith(prefix));
  assert.ok(hits.length, `no command '${prefix}' ran: ${ran.map((r) => r.text).join(' | ')}`);
  return hits;
}

/** ps rows by pid: state letter, patch_state, command, stack. */
function psRows(stdout: string): Map<number, { state: string; patchState: number; comm: string; stack: string }> {
  const rows = new Map<number, { state: string; patchState: number; comm: string; stack: string }>();
  for (const line of stdout.split('\n').slice(1)) {
    const m = /^\s*(\d+) (\S)\s+(-?\d+)\s+(\S+)\s*(.*)$/.exec(line);
    if (m) rows.set(Number(m[1]), { state: m[2], patchState: Number(m[3]), comm: m[4], stack: m[5] });
  }
  return rows;
}

const stampOf = (line: string): number => Number(/^\[\s*(\d+\.\d+)\]/.exec(line)![1]);
const allLog = (ran: RanCommand[]): string[] => ran.flatMap((r) => r.log);

/** The scenario's own numbers: `NAME=VALUE` on its insmod lines. */
function parameter(name: string, scenario: string): number {
  return Number(new RegExp(`${name}=(\\d+)`).exec(readFileSync(scenarioPath(scenario), 'utf8'))![1]);
}

/** The kernel model's checks of each scenario, keyed by its file name. */
export const hazardChecks: Record<string, (ran: RanCommand[]) => void> = {
  'blocking-task': (ran) => {
    const transition = find(ran, 'cat /sys/kernel/livepatch/lp_sleepy_patch/transition').map((r) => r.stdout);
    assert.deepEqual(transition, ['1\n', '1\n', '0\n'], 'in flight, still blocked after 2 s, complete once the sleep ended');
    const blocked = [...psRows(find(ran, 'ps')[0].stdout).values()].filter((r) => r.stack.includes('sleepy_work_fn'));
    assert.equal(blocked.length, 1, 'one task sleeps in the function being patched');
    assert.equal(blocked[0].patchState, 0, 'and it has not switched');
    assert.match(blocked[0].comm, /^kworker\//);
    const complete = allLog(ran).find((l) => l.endsWith("livepatch: 'lp_sleepy_patch': patching complete"));
    assert.ok(complete, 'patching completes');
    const secs = parameter('sleep_secs', 'blocking-task');
    const woke = allLog(ran).find((l) => l.endsWith('sleepy_work: sleepy_work_fn exit'))!;
    assert.ok(stampOf(woke) >= secs && stampOf(complete) >= stampOf(woke) && stampOf(complete) <= stampOf(woke) + 1, `${woke} / ${complete}: within a retry of the wake-up`);
  },
  'blocking-task-force': (ran) => {
    assert.deepEqual(
      find(ran, 'cat /sys/kernel/livepatch/lp_sleepy_patch/transition').map((r) => r.stdout),
      ['1\n', '0\n'],
    );
    assert.ok(
      allLog(ran).some((l) => l.endsWith('livepatch: signaling remaining tasks')),
      'fake signals after 15 retries',
    );
    assert.ok(allLog(ran).some((l) => l.endsWith('livepatch: forcing remaining tasks to the patched state')));
    const rows = [...psRows(find(ran, 'ps')[0].stdout).values()];
    assert.ok(
      rows.some((r) => r.stack.includes('sleepy_work_fn')),
      'the kworker still sleeps where it was',
    );
    assert.ok(
      rows.every((r) => r.patchState === -1),
      'the transition is over for every task',
    );
    const rmmod = find(ran, 'rmmod lp_sleepy_patch')[0];
    assert.equal(rmmod.exitCode, 1);
    assert.equal(rmmod.stderr, 'rmmod: ERROR: Module lp_sleepy_patch is in use\n', 'a forced patch keeps its module');
  },
  'stacked-patches': (ran) => {
    const [first, second] = [returned('lp-minor1'), returned('lp-minor2')];
    const rows = psRows(find(ran, 'ps')[0].stdout);
    const held = [...rows].filter(([, r]) => r.stack.includes('lp_minor2_minor_version'));
    assert.equal(held.length, 1, 'one kworker asleep in the top patch');
    assert.equal(held[0][1].patchState, 1, 'held in the patched state');
    const calls = ran.filter((r) => r.text.startsWith('call'));
    const byPid = (pid: number) => calls.filter((c) => c.text.includes(`--pid ${pid} `)).map((c) => c.rax);
    const switched = [...rows].find(([pid, r]) => r.patchState === 0 && pid !== held[0][0])![0];
    assert.deepEqual(byPid(switched), [first], "a switched task runs the first patch's function, not the original");
    assert.deepEqual(byPid(held[0][0]), [second, first], "the held task runs the second patch's, then (transition over) the first's");
    assert.equal(calls.at(-1)!.rax, first, 'after the transition all run the first patch');
    assert.ok(
      allLog(ran).some((l) => l.endsWith(`minor_caller: xen_minor_version() = ${second}, then ${second}`)),
      'unswitched, it kept the top patch',
    );
    assert.ok(allLog(ran).some((l) => l.endsWith("livepatch: 'lp_minor2': unpatching complete")));
  },
  'schedule-switch-to': (ran) => {
    const insmod = find(ran, 'insmod')[0];
    assert.ok(
      insmod.log.some((l) => l.endsWith("livepatch: 'lp_schedule': starting patching transition")),
      'the traceable __schedule can be patched',
    );
    const bug = insmod.log.findIndex((l) => / BUG: /.test(l));
    assert.ok(bug >= 0, `a guest fault, reported as an oops: ${insmod.log.join('\n')}`);
    assert.ok(
      insmod.log.slice(bug).some((l) => l.endsWith('CPU: 0 PID: 0 Comm: swapper')),
      'the task it happened on',
    );
    assert.ok(insmod.log.some((l) => l.endsWith('Kernel panic - not syncing: Attempted to kill the idle task!')));
    const ps = find(ran, 'ps').at(-1)!;
    assert.equal(ps.exitCode, 1);
    assert.match(ps.stderr, /^the kernel has panicked \(Attempted to kill the idle task! after #PF: .*\); reset it\n$/);
    assert.equal(find(ran, 'reset')[0].exitCode, 0, 'reset boots a new kernel');
  },
  'schedule-notrace': (ran) => {
    const insmod = find(ran, 'insmod')[0];
    assert.equal(insmod.exitCode, 1);
    assert.match(insmod.stderr, /^insmod: ERROR: could not insert module .*lp-schedule\.ko: Invalid parameters\n$/);
    assert.ok(
      insmod.log.some((l) => l.endsWith("livepatch: failed to find location for function '__schedule'")),
      insmod.log.join('\n'),
    );
    assert.equal(find(ran, 'ps')[0].exitCode, 0, 'the kernel goes on');
  },
  'shadow-leak-fix': (ran) => {
    const active = find(ran, 'cat /proc/slabinfo').map((r) => Number(/^kmalloc-1k\s+(\d+)/m.exec(r.stdout)![1]));
    const allocated = allLog(ran)
      .map((l) => /leaky: (\d+) dummies allocated and freed$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]));
    assert.equal(allocated.length, 2, 'leaky ran twice');
    assert.ok(allocated[0] > 0);
    assert.equal(active[0], allocated[0], 'unfixed: every buffer leaked');
    assert.ok(active[1] > active[0] && active[1] <= active[0] + 8, 'fixed and running: the old leaks plus the live dummies');
    assert.equal(active[2], active[0], 'fixed: once its dummies are freed, none of its buffers is left');
    assert.ok(allLog(ran).some((l) => l.endsWith("livepatch: applying patch 'leaky_fix' to loading module 'leaky'")));
  },
};

/** The scenarios and the target each runs on. */
export const hazardScenarios: Array<{ name: string; target: string }> = Object.keys(hazardChecks).map((name) => ({
  name,
  target: name === 'schedule-switch-to' ? traceableTarget : normalTarget,
}));

/** Push order of a function's prologue (or an asm function's first pushes), from objdump: the oracle that the two __schedules disagree. */
export function pushOrder(file: string, fn: string): string[] {
  const text = execFileSync('objdump', ['-d', '--no-show-raw-insn', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const body = text.split(`<${fn}>:\n`)[1]?.split('\n\n')[0] ?? '';
  return [...body.matchAll(/\bpush\s+%(\w+)/g)].map((m) => m[1]);
}

import type { LinuxEmulatorState, LinuxTaskState, RuntimeName, XenEmulatorState } from '../../../../server/src/protocol';
import type { EmulatorModel, SessionEvent } from './model';

// No `vscode` import here: unit tests load this file in plain Node. The emulator panel's page
// only renders what this computes.

/** Which universe a task's code runs in: the old (unpatched) functions, the new (patched) ones, or no transition at all. */
export type Universe = 'old' | 'new' | 'none';

/** One row of the transition picture: a task, its universe, and what keeps it from switching. */
export interface TaskRow {
  pid: number;
  comm: string;
  /** As ps shows it: R, S, D, I, Z. */
  state: string;
  /** /proc/PID/patch_state. */
  patchState: number;
  universe: Universe;
  /** The transition wants it in the other universe still. */
  pending: boolean;
  /** The patched function on its stack that blocks it ('' when it blocks by running); undefined: not blocking. */
  blockedIn?: string;
  /** Innermost frame first, for the row's tooltip. */
  stack: string[];
}

export interface TransitionPicture {
  patch: string;
  target: 'patched' | 'unpatched';
  /** The universe tasks leave and the one they go to. */
  from: Universe;
  to: Universe;
  switched: number;
  pending: number;
  blocking: number;
}

export interface LinuxPanel {
  version?: string;
  panicked?: string;
  /** `name: enabled · in transition`, one line a patch. */
  patches: string[];
  transition?: TransitionPicture;
  tasks: TaskRow[];
}

export interface XenPanel {
  buildId?: string;
  panicked?: string;
  /** Bottom of the build-id stack first. */
  applied: string[];
  /** `name: APPLIED`, `name: CHECKED · rc -16`. */
  payloads: string[];
}

/** One line of an event: what the command printed, its machine log, a fault or panic. */
export interface EventLine {
  kind: 'stdout' | 'stderr' | 'log' | 'fault';
  text: string;
}

export interface EventView {
  seq: number;
  runtime: RuntimeName;
  commandLine: string;
  exitCode: number;
  lines: EventLine[];
}

/** Everything the panel shows, computed from the model alone. */
export interface PanelContent {
  /** False in an untrusted workspace: the page says why there is nothing. */
  trusted: boolean;
  target: string;
  /** The session a command ran on last: the page shows it first. */
  runtime?: RuntimeName;
  xen?: XenPanel;
  linux?: LinuxPanel;
  /** The session's log, oldest first. */
  events: EventView[];
}

/** The panel keeps a page's worth: older events stay in the "Livepatch Emulator" channel. */
export const eventsShown = 200;

const universeOf = (patchState: number): Universe => (patchState === 1 ? 'new' : patchState === 0 ? 'old' : 'none');

function taskRow(task: LinuxTaskState, state: LinuxEmulatorState): TaskRow {
  const t = state.transition;
  const goal = t ? (t.target === 'patched' ? 1 : 0) : undefined;
  const blocking = t?.blocking.find((b) => b.pid === task.pid);
  return {
    pid: task.pid,
    comm: task.comm,
    state: task.state,
    patchState: task.patchState,
    universe: universeOf(task.patchState),
    // A task the transition never reached (a zombie keeps -1) is not waited for.
    pending: goal !== undefined && task.patchState !== -1 && task.patchState !== goal,
    ...(blocking ? { blockedIn: blocking.function } : {}),
    stack: task.stack,
  };
}

function linuxPanel(state: LinuxEmulatorState): LinuxPanel {
  const tasks = state.tasks.map((task) => taskRow(task, state));
  const t = state.transition;
  const patches = state.patches.map((p) => {
    const flags = [p.enabled ? 'enabled' : 'disabled', p.transition ? 'in transition' : '', p.forced ? 'forced' : '', p.replace ? 'replace' : ''].filter(Boolean);
    return `${p.name}: ${flags.join(' · ')}`;
  });
  const to: Universe = t?.target === 'patched' ? 'new' : 'old';
  return {
    ...(state.version ? { version: state.version } : {}),
    ...(state.panicked ? { panicked: state.panicked } : {}),
    patches,
    ...(t
      ? {
          transition: {
            patch: t.patch,
            target: t.target,
            from: to === 'new' ? 'old' : 'new',
            to,
            switched: tasks.filter((task) => task.universe === to).length,
            pending: tasks.filter((task) => task.pending).length,
            blocking: t.blocking.length,
          },
        }
      : {}),
    tasks,
  };
}

function xenPanel(state: XenEmulatorState): XenPanel {
  return {
    ...(state.buildId ? { buildId: state.buildId } : {}),
    ...(state.panicked ? { panicked: state.panicked } : {}),
    applied: [...state.appliedStack],
    payloads: state.payloads.map((p) => `${p.name}: ${p.state}${p.rc < 0 ? ` · rc ${p.rc}` : ''}`),
  };
}

const linesOf = (text: string, kind: EventLine['kind']): EventLine[] =>
  text
    ? text
        .replace(/\n$/, '')
        .split('\n')
        .map((line) => ({ kind, text: line }))
    : [];

function eventView(event: SessionEvent): EventView {
  const { result } = event;
  const lines = [...linesOf(result.stdout, 'stdout'), ...linesOf(result.stderr, 'stderr'), ...result.console.map((text) => ({ kind: 'log' as const, text }))];
  if (result.call?.fault && !result.stderr.includes(result.call.fault)) lines.push({ kind: 'fault', text: result.call.fault });
  if (event.panicked) lines.push({ kind: 'fault', text: `panicked: ${event.panicked}` });
  return { seq: event.seq, runtime: event.runtime, commandLine: result.commandLine, exitCode: result.exitCode, lines };
}

/** The emulator panel's content: the sessions the model knows and the last events of their log. */
export function panelContent(model: EmulatorModel, trusted: boolean): PanelContent {
  const target = model.target?.path?.split('/').pop() ?? '';
  if (!trusted) return { trusted, target, events: [] };
  return {
    trusted,
    target,
    ...(model.runtime ? { runtime: model.runtime } : {}),
    ...(model.xen ? { xen: xenPanel(model.xen) } : {}),
    ...(model.linux ? { linux: linuxPanel(model.linux) } : {}),
    events: model.events.slice(-eventsShown).map(eventView),
  };
}

import type { EmulatorCommandResult, EmulatorState, LinuxEmulatorState, RuntimeName, TargetStateParams, XenEmulatorState } from '../../../../server/src/protocol';

// No `vscode` import here: unit tests load this file in plain Node.

type Listener = () => void;

/** One command of a session's log and what it said; `panicked` when this command killed the machine. */
export interface SessionEvent {
  seq: number;
  runtime: RuntimeName;
  result: EmulatorCommandResult;
  panicked?: string;
}

/** The log keeps this many: the panel shows fewer, the output channel has them all. */
const eventsKept = 1000;

/**
 * What the editor knows of the emulator: the last state the server sent for each runtime's
 * session, the runtime a command ran on last, and the target. Everything the view, the context
 * keys, the pickers and the emulator panel show is read from here, with the log of the commands
 * run since the server started, and one event says that any of it changed.
 */
export class EmulatorModel {
  private xenState: XenEmulatorState | undefined;
  private linuxState: LinuxEmulatorState | undefined;
  private targetState: TargetStateParams | undefined;
  private lastRuntime: RuntimeName | undefined;
  private readonly log: SessionEvent[] = [];
  private nextSeq = 1;
  /** A panic the last state brought, for the next recorded command. */
  private readonly newPanic = new Map<RuntimeName, string>();
  private readonly listeners = new Set<Listener>();

  get xen(): XenEmulatorState | undefined {
    return this.xenState;
  }

  get linux(): LinuxEmulatorState | undefined {
    return this.linuxState;
  }

  get target(): TargetStateParams | undefined {
    return this.targetState;
  }

  /** The runtime of the session the last command ran on. */
  get runtime(): RuntimeName | undefined {
    return this.lastRuntime;
  }

  /** The session's log, oldest first. */
  get events(): readonly SessionEvent[] {
    return this.log;
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** A `livepatch/emulatorState` notification. */
  update(state: EmulatorState): void {
    const before = state.runtime === 'xen' ? this.xenState : this.linuxState;
    if (state.panicked && state.panicked !== before?.panicked) this.newPanic.set(state.runtime, state.panicked);
    if (state.runtime === 'xen') this.xenState = state;
    else this.linuxState = state;
    this.lastRuntime = state.runtime;
    this.fire();
  }

  /**
   * A command's answer, on the session whose state came just before it (the server sends the
   * state first); a panic is the event of the command that caused it, not of every later one.
   */
  record(result: EmulatorCommandResult): void {
    const runtime = this.lastRuntime ?? 'xen';
    const panicked = this.newPanic.get(runtime);
    this.newPanic.delete(runtime);
    this.log.push({ seq: this.nextSeq++, runtime, result, ...(panicked ? { panicked } : {}) });
    if (this.log.length > eventsKept) this.log.splice(0, this.log.length - eventsKept);
    this.fire();
  }

  setTarget(target: TargetStateParams | undefined): void {
    this.targetState = target;
    this.fire();
  }

  /** A new server process: its sessions are new machines, nothing is loaded in them yet. */
  forgetSessions(): void {
    if (!this.xenState && !this.linuxState && !this.lastRuntime) return;
    this.xenState = this.linuxState = this.lastRuntime = undefined;
    this.fire();
  }

  private fire(): void {
    for (const listener of this.listeners) listener();
  }
}

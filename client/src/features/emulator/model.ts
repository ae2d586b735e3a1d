import type { EmulatorState, LinuxEmulatorState, RuntimeName, TargetStateParams, XenEmulatorState } from '../../../../server/src/protocol';

// No `vscode` import here: unit tests load this file in plain Node.

type Listener = () => void;

/**
 * What the editor knows of the emulator: the last state the server sent for each runtime's
 * session, the runtime a command ran on last, and the target. Everything the view, the context
 * keys and the pickers show is read from here, and one event says that any of it changed.
 */
export class EmulatorModel {
  private xenState: XenEmulatorState | undefined;
  private linuxState: LinuxEmulatorState | undefined;
  private targetState: TargetStateParams | undefined;
  private lastRuntime: RuntimeName | undefined;
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

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** A `livepatch/emulatorState` notification. */
  update(state: EmulatorState): void {
    if (state.runtime === 'xen') this.xenState = state;
    else this.linuxState = state;
    this.lastRuntime = state.runtime;
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

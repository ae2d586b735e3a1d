import type { EmulatorState, RuntimeName } from '../../protocol';

/** The last state of each emulator session, as sent to the client; the lenses and hovers read it too. */
export class EmulatorStates {
  private readonly states = new Map<RuntimeName, EmulatorState>();
  private readonly listeners: Array<(state: EmulatorState) => void> = [];

  get(runtime: RuntimeName): EmulatorState | undefined {
    return this.states.get(runtime);
  }

  set(state: EmulatorState): void {
    this.states.set(state.runtime, state);
    for (const listener of this.listeners) listener(state);
  }

  onDidChange(listener: (state: EmulatorState) => void): void {
    this.listeners.push(listener);
  }
}

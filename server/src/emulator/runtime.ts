import type { ScenarioCommand } from '../scenario/command';
import type { RuntimeName } from '../scenario/dialect';
import type { Machine } from './machine';
import type { EmulatorState } from './state';

/** What a runtime command printed and the status it exited with, as the real command would. */
export interface RuntimeOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What a runtime command may read from the host: payload and module files, relative to the scenario's folder. */
export interface RuntimeIo {
  readFile(file: string): Uint8Array;
}

/** The machine's own log: the Xen console, the kernel's ring buffer. */
export interface RuntimeLog {
  /** A position in the log, for `since`. */
  mark(): number;
  /** The lines written since the mark, complete lines only, as the machine shows them. */
  since(mark: number): string[];
}

/**
 * A live-patching runtime sitting on a booted Machine: Xen's hypervisor (xen/), Linux's kernel
 * (klp/). The EmulatorSession owns boot, reset, the extra objects, `call` and the log; the
 * runtime runs its own commands (`xen-livepatch ...`; `insmod`, `echo V > PATH`, ...) and says
 * what the editor shows.
 */
export interface LivepatchRuntime {
  readonly name: RuntimeName;
  readonly machine: Machine;
  readonly log: RuntimeLog;
  /** What `reset` prints after the target's name: `build-id 0123...`, `Linux version 6.1...`. */
  readonly banner: string;
  /** Why the guest can run no more code (`the hypervisor has panicked (...)`), or undefined while it can. */
  halted(): string | undefined;
  /** How `call` runs here: the runtime's own options taken off ARGS (Linux's `--pid N`); default the machine's current task. */
  callContext?(args: string[]): CallContext;
  /** Every command that is not `call`, `dump` or `reset`: exit statuses and output as the real machine's. */
  run(command: ScenarioCommand, io: RuntimeIo): RuntimeOutput;
  /** `dump`: the runtime's state on its log (Xen's `x` debug key). */
  dump(): RuntimeOutput;
  /** What a command acts on, for internal-error messages: `payload hello`, `module livepatch_sample`. */
  subject?(command: ScenarioCommand): string | undefined;
  state(target: string): EmulatorState;
}

/** A `call`'s ARGS without the runtime's options, and what the machine call runs inside (as a guest task). */
export interface CallContext {
  args: string[];
  around<T>(call: () => T): T;
}

/** How a session boots a runtime on a target image; a fresh one for every `reset`. */
export interface RuntimeFactory {
  readonly name: RuntimeName;
  boot(target: string): LivepatchRuntime;
}

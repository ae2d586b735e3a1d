import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ElfError } from '../elf';
import type { ScenarioCommand } from '../scenario/command';
import { commandLine, cpuVerbs, RuntimeName } from '../scenario/dialect';
import type { CommandResult } from '../scenario/result';
import type { ScenarioMachine } from '../scenario/runner';
import { EmulatorError } from './faults';
import { LoaderError } from './loader';
import type { LivepatchRuntime, RuntimeFactory, RuntimeOutput } from './runtime';
import { callFunction, CallReport } from './sessionCall';
import { runSmpCommand } from './smp/commands';
import { PokeProtocol } from './smp/cpuSet';
import { Smp } from './smp/smp';
import { EmulatorState, unbootedState } from './state';

export interface EmulatorSessionOptions {
  /** The image the runtime boots (xen-syms, vmlinux, the sample target). */
  target: string;
  /** Relocatable objects loaded after the target at every boot. */
  objects?: string[];
  /** Where relative payload and module paths are read from (a script's folder); default the working directory. */
  baseDir?: string;
  /** Instruction budget and wall-clock limit of a `call`. */
  budget?: number;
  timeoutMs?: number;
  /** Every instruction a `call` executes, symbolized. */
  trace?: (line: string) => void;
  /** CPUs (default 2), the scheduler's seed (default 1), and how live patches are written (default the runtime's own). */
  cpus?: number;
  seed?: number;
  poke?: PokeProtocol;
  /** NMIs drawn from the seed, per 1000 ticks of each CPU (default none). */
  nmiRate?: number;
  /** A timer interrupt every this many ticks of each CPU (default none), and the protocols' IPIs through the target's handler. */
  timerPeriod?: number;
  ipis?: boolean;
}

/** A command's result; `call` has its report too. */
export interface SessionCommandResult extends CommandResult {
  call?: CallReport;
}

/**
 * One emulated machine running a live-patching runtime, driven by scenario commands: the
 * runtime's own (xen-livepatch's, the Linux shell's) plus `call FUNCTION [ARGS]`, `dump` and
 * `reset` (reboot, a dead machine too). Shared by the CLI and the language server so both show
 * the same output and exit statuses. Booted on first use; a command never throws.
 */
export class EmulatorSession implements ScenarioMachine {
  private current: LivepatchRuntime | undefined;
  private smp: Smp | undefined;

  constructor(
    private readonly factory: RuntimeFactory,
    private readonly options: EmulatorSessionOptions,
  ) {}

  get runtime(): RuntimeName {
    return this.factory.name;
  }

  get target(): string {
    return this.options.target;
  }

  /** The runtime, if one has been booted. */
  get running(): LivepatchRuntime | undefined {
    return this.current;
  }

  /** What the editor shows: the booted runtime's state, or the empty one of its kind. */
  state(): EmulatorState {
    if (!this.current) return unbootedState(this.runtime, this.options.target);
    const state = this.current.state(this.options.target);
    return this.smp?.used ? { ...state, cpus: this.smp.state() } : state;
  }

  /** `baseDir`: where this command's relative paths are read from, instead of the session's (a script the editor runs). */
  run(command: ScenarioCommand, baseDir = this.options.baseDir): SessionCommandResult {
    let runtime: LivepatchRuntime;
    try {
      runtime = this.current ??= this.boot();
    } catch (error) {
      return { command: command.text, stdout: '', stderr: `${bootFailure(error, this.runtime)}\n`, exitCode: 2, log: [] };
    }
    const mark = runtime.log.mark();
    let result: RuntimeOutput & { call?: CallReport };
    try {
      result = this.dispatch(runtime, command, baseDir ?? '.');
    } catch (error) {
      // A bug of ours, never the payload's: this command fails with what happened, the session goes on.
      result = { stdout: '', stderr: `${internalError(command, error, runtime.name, runtime.subject?.(command))}\n`, exitCode: 1 };
    }
    return { command: command.text, ...this.withNotes(result), log: runtime.log.since(mark) };
  }

  /** The seed the scheduler interleaves the CPUs by, given or the default: what replays the run. */
  get seed(): number {
    return this.options.seed ?? 1;
  }

  /** The other CPUs' session: its seed, protocol and CPUs. */
  get cpus(): Smp | undefined {
    return this.smp;
  }

  /** What happened on the other CPUs during the command (torn fetches, lost NMIs, #MC) after its own stderr; a CPU's fault fails it. */
  private withNotes<T extends RuntimeOutput>(result: T): T {
    this.smp?.between();
    const taken = this.smp?.take();
    if (!taken || !taken.notes.length) return result;
    return { ...result, stderr: `${result.stderr}${taken.notes.join('\n')}\n`, exitCode: taken.failed && result.exitCode === 0 ? 1 : result.exitCode };
  }

  private dispatch(runtime: LivepatchRuntime, command: ScenarioCommand, baseDir: string): RuntimeOutput & { call?: CallReport } {
    const [verb, ...args] = command.argv;
    switch (verb) {
      case 'call':
        return callFunction(runtime, args, this.options);
      case 'dump':
        return this.dump(runtime);
      case 'reset':
        return this.reset();
      default:
        if (cpuVerbs.includes(verb) && this.smp) return runSmpCommand(this.smp, command.argv);
        return runtime.run(command, { readFile: (file) => readFileSync(path.resolve(baseDir, file)) });
    }
  }

  private dump(runtime: LivepatchRuntime): RuntimeOutput {
    try {
      const dumped = runtime.dump();
      if (!this.smp?.used) return dumped;
      return { ...dumped, stdout: `${dumped.stdout}${this.smp.describe().join('\n')}\n` };
    } catch (error) {
      if (!(error instanceof EmulatorError)) throw error;
      return { stdout: '', stderr: `${error.message}\n`, exitCode: 1 };
    }
  }

  private reset(): RuntimeOutput {
    try {
      this.current = this.boot();
    } catch (error) {
      this.current = undefined;
      return { stdout: '', stderr: `${bootFailure(error, this.runtime)}\n`, exitCode: 2 };
    }
    return { stdout: `Rebooted ${this.options.target} (${this.current.banner}).\n`, stderr: '', exitCode: 0 };
  }

  private boot(): LivepatchRuntime {
    const runtime = this.factory.boot(this.options.target);
    for (const object of this.options.objects ?? []) runtime.machine.loadObject(object);
    this.smp = new Smp(runtime.machine, {
      cpus: this.options.cpus ?? 2,
      seed: this.seed,
      poke: this.options.poke ?? (runtime.name === 'xen' ? 'xen' : 'linux'),
      nmiRate: this.options.nmiRate,
      timerPeriod: this.options.timerPeriod,
      ipis: this.options.ipis,
    });
    const trace = this.options.trace;
    if (trace) runtime.machine.cpu.trace = (address, text) => trace(`${runtime.machine.describe(address).padEnd(32)} ${text}`);
    return runtime;
  }
}

/** Why the target could not be booted, naming the file. */
function bootFailure(error: unknown, runtime: RuntimeName): string {
  if (error instanceof ElfError || error instanceof LoaderError || error instanceof EmulatorError) return error.message;
  const fsError = error as NodeJS.ErrnoException;
  if (fsError.code === 'ENOENT' || fsError.code === 'EACCES') return `cannot open ${fsError.path ?? 'the target'}: ${fsError.code}`;
  return internalError({ argv: ['reset'], text: 'reset' }, error, runtime);
}

function internalError(command: Pick<ScenarioCommand, 'argv' | 'text'>, error: unknown, runtime: RuntimeName, subject?: string): string {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `livepatch-lens: internal error in '${commandLine(command, runtime)}'${subject ? ` (${subject})` : ''}: ${what}`;
}

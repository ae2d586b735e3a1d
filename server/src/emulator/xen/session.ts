import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ElfError } from '../../elf';
import { EmulatorError } from '../faults';
import { LoaderError } from '../loader';
import { callFunction, CallReport } from './sessionCall';
import { XenLivepatch } from './runtime';
import { runXenLivepatch, ToolResult } from './xenLivepatchTool';

export interface SessionOptions {
  /** The hypervisor image (xen-syms, the sample target). */
  target: string;
  /** Relocatable objects loaded after the target at every boot. */
  objects?: string[];
  /** Where relative payload paths are read from (a script's folder); default the working directory. */
  baseDir?: string;
  /** Instruction budget and wall-clock limit of a `call`. */
  budget?: number;
  timeoutMs?: number;
  /** Every instruction a `call` executes, symbolized. */
  trace?: (line: string) => void;
}

/** What one command of a session did: the tool's output and exit code, and the console lines it caused. */
export interface SessionResult extends ToolResult {
  command: string[];
  /** The `(XEN) ` lines this command printed, as `xl dmesg` shows them. */
  console: string[];
  call?: CallReport;
}

/** The commands the emulator adds to `xen-livepatch`'s: they are not passed to the tool. */
export const emulatorVerbs = ['call', 'dump', 'reset'] as const;

/**
 * One emulated hypervisor driven by `xen-livepatch` commands plus `call FUNCTION [ARGS]`, `dump`
 * (debug key `x`) and `reset` (reboot, a panicked hypervisor too). Shared by the CLI and the
 * language server so both show the same output and exit codes. Booted on first use.
 */
export class XenSession {
  private current: XenLivepatch | undefined;

  constructor(private readonly options: SessionOptions) {}

  /** The hypervisor, if one has been booted. */
  get running(): XenLivepatch | undefined {
    return this.current;
  }

  get target(): string {
    return this.options.target;
  }

  run(argv: string[]): SessionResult {
    let xen: XenLivepatch;
    try {
      xen = this.current ??= this.boot();
    } catch (error) {
      return { command: argv, stdout: '', stderr: `${bootFailure(error)}\n`, exitCode: 2, console: [] };
    }
    const mark = xen.console.log.length;
    let result: ToolResult & { call?: CallReport };
    try {
      result = this.dispatch(xen, argv);
    } catch (error) {
      // A bug of ours, never the payload's: this command fails with what happened, the session goes on.
      result = { stdout: '', stderr: `${internalError(argv, error)}\n`, exitCode: 1 };
    }
    return {
      command: argv,
      ...result,
      console: xen.console
        .since(mark)
        .split('\n')
        .filter((line) => line.length > 0),
    };
  }

  private dispatch(xen: XenLivepatch, argv: string[]): ToolResult & { call?: CallReport } {
    const [verb, ...args] = argv;
    switch (verb) {
      case 'call':
        return callFunction(xen, args, this.options);
      case 'dump':
        return this.dump(xen);
      case 'reset':
        return this.reset();
      default:
        return runXenLivepatch(xen, argv, { readFile: (file) => readFileSync(path.resolve(this.options.baseDir ?? '.', file)) });
    }
  }

  private dump(xen: XenLivepatch): ToolResult {
    try {
      xen.debugKey();
      return { stdout: '', stderr: '', exitCode: 0 };
    } catch (error) {
      if (!(error instanceof EmulatorError)) throw error;
      return { stdout: '', stderr: `${error.message}\n`, exitCode: 1 };
    }
  }

  private reset(): ToolResult {
    try {
      this.current = this.boot();
    } catch (error) {
      this.current = undefined;
      return { stdout: '', stderr: `${bootFailure(error)}\n`, exitCode: 2 };
    }
    return { stdout: `Rebooted ${this.options.target} (build-id ${this.current.buildId}).\n`, stderr: '', exitCode: 0 };
  }

  private boot(): XenLivepatch {
    const xen = XenLivepatch.boot(this.options.target);
    for (const object of this.options.objects ?? []) xen.machine.loadObject(object);
    const trace = this.options.trace;
    if (trace) xen.machine.cpu.trace = (address, text) => trace(`${xen.machine.describe(address).padEnd(32)} ${text}`);
    return xen;
  }
}

/** The command as a person would type it: the tool's commands after `xen-livepatch`, ours after `emu`. */
export function commandLine(argv: string[]): string {
  return `${(emulatorVerbs as readonly string[]).includes(argv[0]) ? 'emu' : 'xen-livepatch'} ${argv.join(' ')}`.trimEnd();
}

/** Why the target could not be booted, naming the file. */
function bootFailure(error: unknown): string {
  if (error instanceof ElfError || error instanceof LoaderError || error instanceof EmulatorError) return error.message;
  const fsError = error as NodeJS.ErrnoException;
  if (fsError.code === 'ENOENT' || fsError.code === 'EACCES') return `cannot open ${fsError.path ?? 'the target'}: ${fsError.code}`;
  return internalError(['reset'], error);
}

/** The payload a command names: NAME of upload/apply/revert/replace/unload, FILE's base name for load. */
function payloadOf(argv: string[]): string | undefined {
  const [verb, ...rest] = argv[0] === '--force' ? argv.slice(1) : argv;
  const [first] = rest.filter((word) => !word.startsWith('--'));
  if (!verb || !first || (emulatorVerbs as readonly string[]).includes(verb)) return undefined;
  return 'load'.startsWith(verb) && verb.startsWith('lo') ? path.basename(first).replace(/\.[^.]*$/, '') : first;
}

function internalError(argv: string[], error: unknown): string {
  const payload = payloadOf(argv);
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `livepatch-lens: internal error in '${commandLine(argv)}'${payload ? ` (payload ${payload})` : ''}: ${what}`;
}

import type { OopsSignal, SyscallResult } from './kernelServices';

/**
 * A command whose process did not return from the kernel: killed by an oops (the shell says
 * `Killed` or `Segmentation fault`, as busybox sh does for the signal), or still asleep where the
 * real command would wait for ever (no signal: the emulator ends the command and says why).
 */
export class ProcessEnded extends Error {
  constructor(
    readonly signal: OopsSignal | undefined,
    message: string,
  ) {
    super(message);
  }

  static of(result: Extract<SyscallResult, { status: 'failed' }>): ProcessEnded {
    return new ProcessEnded(result.signal, result.message);
  }

  /** What busybox sh prints for it, and the status `$?` then has. */
  get shellReport(): { stderr: string; exitCode: number } {
    if (this.signal === 'SIGKILL') return { stderr: 'Killed\n', exitCode: 137 };
    if (this.signal === 'SIGSEGV') return { stderr: 'Segmentation fault\n', exitCode: 139 };
    return { stderr: `${this.message}\n`, exitCode: 1 };
  }
}

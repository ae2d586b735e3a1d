import { guestFilesDir } from '../../../../../server/out/machines/guestFiles';
import type { CommandResult } from '../../../../../server/out/scenario/result';

/** One command's result as the two machines are compared: what is the machine's own is gone. */
export interface Normalised {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  log: string[];
}

/**
 * Normalises a machine's run so that two machines running the same scenario compare equal when
 * they behaved alike. Each rule, and why:
 * 1. The `[ seconds.micros] ` stamp is removed: guest time on a real machine includes its boot and
 *    the host's speed; the emulator's is guest time from its own boot.
 * 2. `%p` values (16 hex digits, hashed by the kernel per boot) become `<ptr>`, and `%lx` jiffies
 *    values become `<jiffies>`: addresses and tick counts are the machine's own.
 * 3. The machine's own command line (what the scenario's first `cat /proc/cmdline` printed, before
 *    any patch) becomes `<cmdline>`: QEMU's kernel line is the runner's, the sample target's is
 *    its build's.
 * 4. The runner's guest folder (`/modules/`, where it copies the files insmod names) is removed:
 *    the emulator reads the file the scenario names where it is.
 * No line is removed: the three taint notices (out-of-tree, TAINT_LIVEPATCH, the signature line),
 * once per boot with the first module, are the emulator's too, and the samples print nothing else
 * only a real kernel would.
 */
export function normaliseRun(results: readonly CommandResult[], cmdline: string | undefined): Normalised[] {
  const text = (s: string) =>
    (cmdline ? s.split(cmdline).join('<cmdline>') : s)
      .split(`${guestFilesDir}/`)
      .join('')
      .replace(/\b[0-9a-f]{16}\b/g, '<ptr>');
  return results.map((r) => ({
    command: r.command,
    exitCode: r.exitCode,
    stdout: text(r.stdout),
    stderr: text(r.stderr),
    log: r.log.map((line) => text(line.replace(/^\[\s*\d+\.\d{6}\] /, ''))).map((line) => line.replace(/(expires @ |expired = |jiffies = )[0-9a-f]+$/, '$1<jiffies>')),
  }));
}

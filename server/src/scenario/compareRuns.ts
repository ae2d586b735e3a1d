import type { CommandResult } from './result';

/** One stream of one command whose normalised text differs between two runs of a scenario. */
export interface RunDifference {
  /** 1-based, among the scenario's commands. */
  index: number;
  command: string;
  stream: 'exit' | 'stdout' | 'stderr' | 'log';
  /** Normalised; absent when that run ended before the command. */
  real?: string;
  emulated?: string;
}

/** What dom0 (or a kernel) printed for a file before any patch, per file: compared as `<FILE as booted>`. */
export type BootedFiles = Record<string, string>;

/**
 * The machine's own, which two machines running the same scenario never share, made equal:
 * kernel log stamps (guest time includes the boot and the host's speed), the real runner's
 * guest folder `/modules/` (the emulator reads files where they are), build-ids (each build's),
 * 12–16 hex digit addresses and `%p` hashes (each boot's), jiffies after `expires @`,
 * `expired =`, `jiffies =`.
 */
function normaliseText(text: string): string {
  return text
    .replace(/^\[\s*\d+\.\d{6}\] /gm, '')
    .replaceAll('/modules/', '')
    .replace(/\b[0-9a-f]{40}\b/g, '<build-id>')
    .replace(/\b(0x)?[0-9a-f]{12,16}\b/g, '<address>')
    .replace(/(expires @ |expired = |jiffies = )[0-9a-f]+$/gm, '$1<jiffies>');
}

function normalised(r: CommandResult, booted: BootedFiles): Record<RunDifference['stream'], string> {
  const file = /^cat (\S+)$/.exec(r.command)?.[1];
  const stdout = file !== undefined && booted[file] === r.stdout ? `<${file} as booted>\n` : r.stdout;
  return { exit: String(r.exitCode), stdout: normaliseText(stdout), stderr: normaliseText(r.stderr), log: normaliseText(r.log.join('\n')) };
}

/**
 * Each stream of each command that differs once normalised, in scenario order; a command only
 * one run reached differs in every stream. `booted` holds, per machine, what a file read before
 * any patch showed (the hypervisor's or kernel's own version): the same file showing that again
 * compares as `<FILE as booted>`, since the sample target and Debian's build are not one version.
 */
export function runDifferences(
  real: readonly CommandResult[],
  emulated: readonly CommandResult[],
  booted: { real: BootedFiles; emulated: BootedFiles } = { real: {}, emulated: {} },
): RunDifference[] {
  const out: RunDifference[] = [];
  for (let i = 0; i < Math.max(real.length, emulated.length); i++) {
    const a = real[i] ? normalised(real[i], booted.real) : undefined;
    const b = emulated[i] ? normalised(emulated[i], booted.emulated) : undefined;
    const command = (real[i] ?? emulated[i]).command;
    for (const stream of ['exit', 'stdout', 'stderr', 'log'] as const)
      if (a?.[stream] !== b?.[stream]) out.push({ index: i + 1, command, stream, ...(a ? { real: a[stream] } : {}), ...(b ? { emulated: b[stream] } : {}) });
  }
  return out;
}

/** A difference as lines a person reads: the command, then what each machine said. */
export function differenceLines(d: RunDifference): string[] {
  const shown = (text: string | undefined) =>
    text === undefined
      ? ['    (not run)']
      : text
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => `    ${l}`);
  return [`command ${d.index}, ${d.command}: ${d.stream === 'exit' ? 'exit status' : d.stream}`, '  real machine:', ...shown(d.real), '  emulator:', ...shown(d.emulated)];
}

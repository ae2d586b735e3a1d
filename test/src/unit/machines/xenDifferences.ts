import type { CommandResult } from '../../../../server/out/scenario/result';

/** One stream of one command whose normalised text differs between real Xen and the emulator. */
export interface Difference {
  scenario: string;
  /** 1-based, among the scenario's commands. */
  index: number;
  command: string;
  stream: 'exit' | 'stdout' | 'stderr' | 'console';
  real: string;
  emulated: string;
}

/** What a machine's dom0 reads in /sys/hypervisor/version/{major,minor,extra} before any payload. */
export type BootedVersion = Record<'major' | 'minor' | 'extra', string>;

/**
 * What differs by design between the two runs of one scenario: the payloads' guest path
 * (/modules/), build-ids, addresses, and the version the hypervisor was built as (Debian's
 * 4.17 `.7` against the sample target's own): `cat /sys/hypervisor/version/X` answering what
 * the machine booted with is `<X as booted>`.
 */
function normalise(text: string): string {
  return text
    .replaceAll('/modules/', '')
    .replace(/\b[0-9a-f]{40}\b/g, '<build-id>')
    .replace(/\b(0x)?(ffff)?[0-9a-f]{12,16}\b/g, '<address>');
}

const versionFile = (c: string): keyof BootedVersion | undefined => /^cat \/sys\/hypervisor\/version\/(major|minor|extra)$/.exec(c)?.[1] as keyof BootedVersion | undefined;

function normaliseResult(r: CommandResult, booted: BootedVersion): Record<Difference['stream'], string> {
  const file = versionFile(r.command);
  const stdout = file && r.stdout === booted[file] ? `<${file} as booted>\n` : r.stdout;
  return { exit: String(r.exitCode), stdout: normalise(stdout), stderr: normalise(r.stderr), console: normalise(r.log.join('\n')) };
}

/** Each stream of each command that differs once normalised, in scenario order. */
export function differences(scenario: string, real: CommandResult[], realBooted: BootedVersion, emulated: CommandResult[], emulatedBooted: BootedVersion): Difference[] {
  const out: Difference[] = [];
  real.forEach((r, i) => {
    const [a, b] = [normaliseResult(r, realBooted), normaliseResult(emulated[i], emulatedBooted)];
    for (const stream of ['exit', 'stdout', 'stderr', 'console'] as const)
      if (a[stream] !== b[stream]) out.push({ scenario, index: i + 1, command: r.command, stream, real: a[stream], emulated: b[stream] });
  });
  return out;
}

/** A cell's text as docs/machines.md writes it: in backticks, lines joined by ⏎, | escaped. */
const flat = (text: string): string => text.replace(/\n$/, '').replaceAll('\n', '⏎');
export const cell = (text: string): string => `\`${flat(text).replaceAll('|', '\\|')}\``;
const uncell = (text: string): string => text.trim().replace(/^`|`$/g, '').replaceAll('\\|', '|');

export const differenceKey = (d: Difference): string => [d.scenario, String(d.index), d.command, d.stream, flat(d.real), flat(d.emulated)].join(' | ');

/**
 * The rows of the table under the heading `heading` in docs/machines.md, keyed as the tests key
 * what they found: every cell but the last (the reason), unquoted, joined by ` | `.
 */
export function listedRows(doc: string, heading: string): Map<string, string> {
  const at = doc.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/machines.md has no heading '${heading}'`);
  const rows = new Map<string, string>();
  const lines = doc.slice(at + heading.length + 2).split('\n');
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
  for (const line of table.slice(2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map(uncell);
    rows.set(cells.slice(0, -1).join(' | '), cells.at(-1)!);
  }
  return rows;
}

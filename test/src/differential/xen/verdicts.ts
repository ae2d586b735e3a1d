import type { Verdict } from '../core/variant';

/** `Error N: text` of xen-livepatch's stderr, as the real tool and the emulated one print it. */
export const toolErrno = (stderr: string): number | undefined => {
  const m = /^Error (\d+): /m.exec(stderr);
  return m ? Number(m[1]) : undefined;
};

/** The first `(XEN) ` line of a command, without the prefix, the payload's name as <name>. */
export function xenLine(lines: readonly string[], name: string): string | undefined {
  const line = lines.find((l) => l.startsWith('(XEN) '));
  return line?.slice('(XEN) '.length).replaceAll(name, '<name>').trimEnd();
}

/** A xen-livepatch command's verdict from its exit status, stderr and console lines. */
export function toolVerdict(result: { exitCode: number; stderr: string; log: readonly string[] }, name: string): Verdict {
  if (result.exitCode === 0) return { outcome: 'accepted' };
  const errno = toolErrno(result.stderr);
  const line = xenLine(result.log, name);
  return { outcome: 'refused', ...(errno === undefined ? {} : { errno }), ...(line === undefined ? {} : { line }) };
}

/** The payload name a variant is uploaded as: its id, dots made underscores (Xen names are C-ish). */
export const uploadName = (id: string): string => id.replaceAll('.', '_');

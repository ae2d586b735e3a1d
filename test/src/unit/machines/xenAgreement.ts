import { strerror } from '../../../../server/out/emulator/errno';
import { cell } from './xenDifferences';

/** One mutated payload: what the analyzer says of it and what the real loader did with it. */
export interface UploadVerdict {
  check: string;
  what: string;
  /** The first error finding that refuses the upload (the emulator's answer), and the errno of the mutation's own check when it fired. */
  analyzer?: { check: string; errno: number; ownErrno?: number };
  /** A refusal the analyzer says Xen makes only at apply (the payload then applied on the real machine). */
  analyzerAtApply?: { check: string; errno: number };
  real: Outcome;
  realApply?: Outcome;
}

interface Outcome {
  exitCode: number;
  errno?: number;
  log: string[];
}

const refusal = (n: number | undefined): string => (n === undefined ? 'refuses (no errno)' : `refuses, ${n} (${strerror(n)})`);

/** The two verdicts agree when both accept, or both refuse with the same errno. */
function agrees(v: UploadVerdict): boolean {
  if (v.analyzer) return v.real.exitCode !== 0 && v.real.errno === v.analyzer.errno;
  if (v.real.exitCode !== 0) return false;
  return !v.analyzerAtApply || (v.realApply !== undefined && v.realApply.exitCode !== 0 && v.realApply.errno === v.analyzerAtApply.errno);
}

export function analyzerVerdict(v: UploadVerdict): string {
  if (v.analyzerAtApply && !v.analyzer) return `accepts; apply ${refusal(v.analyzerAtApply.errno)} [${v.analyzerAtApply.check}]`;
  if (!v.analyzer) return 'accepts';
  const own = v.analyzer.check === v.check ? '' : v.analyzer.ownErrno === undefined ? `; ${v.check} does not fire` : `; ${v.check} also, ${v.analyzer.ownErrno}`;
  return `${refusal(v.analyzer.errno)} [${v.analyzer.check}${own}]`;
}

export function realVerdict(v: UploadVerdict): string {
  if (v.real.exitCode !== 0) return refusal(v.real.errno);
  if (!v.realApply) return 'accepts';
  return `accepts; apply ${v.realApply.exitCode === 0 ? 'succeeds' : refusal(v.realApply.errno)}`;
}

/**
 * The table of issue 11's "upload checks against the real loader" (README, docs/machines.md),
 * and the disagreements keyed as docs/machines.md lists them: `check | analyzer | real Xen`.
 */
export function agreementTable(verdicts: UploadVerdict[]): { text: string; disagreements: string[] } {
  const rows = verdicts.map((v) => {
    const line = [...v.real.log, ...(v.realApply?.log ?? [])].filter((l) => l.startsWith('(XEN) ') && !/Verifying enabled expectations/.test(l))[0] ?? '';
    return `| ${v.check} | ${v.what} | ${analyzerVerdict(v)} | ${realVerdict(v)} | ${line ? cell(line) : '–'} | ${agrees(v) ? 'yes' : '**no**'} |`;
  });
  return {
    text: [
      '| Check | Mutation of the real-Xen payload | Analyzer (check --target xen-syms) | Real Xen 4.17 | Real console line | Agree |',
      '|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
    disagreements: verdicts.filter((v) => !agrees(v)).map((v) => `${v.check} | ${analyzerVerdict(v)} | ${realVerdict(v)}`),
  };
}

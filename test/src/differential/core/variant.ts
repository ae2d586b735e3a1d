/*
 * The differential's common core (issue 16): variants of real payloads and modules, each one
 * change, judged by the real loader in one VM session and by ours (the emulator, the analyzer).
 *
 * How to add a loader: write test/src/differential/loaders/<name>.ts exporting
 * `loader: DifferentialLoader` (core/loader.ts): its bases (the built samples), its mutators
 * (core/mutator.ts; build them on core/elfEdit.ts), the real run (one boot, every variant, in
 * order) and our judges. main.ts finds every file in loaders/, so `npm run differential` runs
 * it, `-- --record` records its real verdicts into test/fixtures/differential/<name>.json, and
 * test/unit/differential/recorded.test.ts judges a fixed sample against that recording on
 * every `npm test`. Allowed differences go in docs/differential.md, one table per loader.
 */

/** One change to one base file. */
export interface Variant {
  /** Stable across runs with the same seed: `<base>.<n>`. */
  id: string;
  base: string;
  /** The mutator that made it (the allowed-differences table names mutators, not variants). */
  mutator: string;
  /** What was changed, in words a reader can redo by hand. */
  description: string;
  bytes: Buffer;
}

/** What one loader did with one variant. */
export interface Verdict {
  outcome: 'accepted' | 'refused' | 'crashed';
  /** The errno of a refusal (positive), when the loader gave one. */
  errno?: number;
  /** The loader's first line about it (Xen's `(XEN) ` line, the kernel's or insmod's), normalised. */
  line?: string;
  /** Linux: the kernel's first line about it (dmesg), when `line` is the tool's (insmod's ERROR line). */
  kernel?: string;
  /** A second step some variants need (Xen: apply, for a refusal Xen makes only then). */
  then?: { step: string; verdict: Verdict };
}

export type VerdictField = 'outcome' | 'errno' | 'line' | 'kernel';

/** One field of one variant on which one of our judges and the real loader differ. */
export interface Disagreement {
  variant: Variant;
  judge: string;
  field: VerdictField;
  real: string;
  ours: string;
}

const shown = (v: Verdict | undefined, field: VerdictField): string => {
  if (!v) return '(not run)';
  if (field === 'outcome') return v.outcome;
  const value = field === 'errno' ? v.errno : field === 'kernel' ? v.kernel : v.line;
  return value === undefined ? '–' : String(value);
};

/**
 * The fields on which `ours` differs from `real`, each step ours took compared: the outcome always;
 * the errno and the line only when both refused (an accepted load has neither).
 */
export function compareVerdicts(variant: Variant, judge: string, real: Verdict, ours: Verdict, fields: readonly VerdictField[]): Disagreement[] {
  const found: Disagreement[] = [];
  const compare = (r: Verdict | undefined, o: Verdict | undefined, prefix: string): void => {
    for (const field of fields) {
      if (field !== 'outcome' && (r?.outcome !== 'refused' || o?.outcome !== 'refused')) continue;
      const a = shown(r, field);
      const b = shown(o, field);
      if (a !== b) found.push({ variant, judge, field, real: prefix + a, ours: prefix + b });
    }
    // A judge that does not take the second step (the analyzer does not apply) is judged on the first.
    if (o?.then) compare(r?.then?.verdict, o.then.verdict, `${o.then.step}: `);
  };
  compare(real, ours, '');
  return found;
}

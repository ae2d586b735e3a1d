import type { DifferentialLoader } from './loader';
import { compareVerdicts, Disagreement, Variant, Verdict, VerdictField } from './variant';

/** Per judge: how many variants agree with the real loader on each field. */
export interface Agreement {
  judge: string;
  variants: number;
  agree: Record<VerdictField, number>;
  disagreements: Disagreement[];
}

/** Our judges' verdicts on `variants` set against the real ones. */
export async function judgeVariants(loader: DifferentialLoader, variants: readonly Variant[], real: Map<string, Verdict>): Promise<Agreement[]> {
  const judged = variants.filter((v) => real.has(v.id));
  const result: Agreement[] = [];
  for (const judge of loader.judges()) {
    const ours = await judge.judge(judged);
    const fields = judge.fields ?? loader.fields;
    const disagreements = judged.flatMap((v) => compareVerdicts(v, judge.name, real.get(v.id)!, ours.get(v.id)!, fields));
    const agree = Object.fromEntries(fields.map((f) => [f, judged.length - new Set(disagreements.filter((d) => d.field === f).map((d) => d.variant.id)).size])) as Record<
      VerdictField,
      number
    >;
    result.push({ judge: judge.name, variants: judged.length, agree, disagreements });
  }
  return result;
}

const percent = (n: number, of: number): string => `${of ? ((100 * n) / of).toFixed(1) : '100.0'} %`;

/** One line per judge: `emulator: 812/812 outcome (100.0 %), ...`. */
export function agreementLines(agreements: readonly Agreement[]): string[] {
  return agreements.map(
    (a) =>
      `${a.judge}: ${Object.entries(a.agree)
        .map(([field, n]) => `${field} ${n}/${a.variants} (${percent(n, a.variants)})`)
        .join(', ')}`,
  );
}

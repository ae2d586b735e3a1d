import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzePayloadFile } from '../../../../server/out/checks/payload';
import { findLinuxPieces } from '../../../../server/out/machines/hostPieces';
import { kbuildSamples } from '../../support/kbuildSamples';
import { fromRoot } from '../../support/paths';
import { hostPieces } from '../../unit/machines/hostSkip';
import type { DifferentialLoader } from '../core/loader';
import type { Base } from '../core/mutator';
import type { Variant, Verdict } from '../core/variant';
import { emulatorVerdicts, realVerdicts, variantFile } from '../linux/judges';
import { linuxMutators, strippedBase } from '../linux/variants';
import { coreVerdict } from '../linux/verdict';

const sampleTarget = fromRoot('samples', 'build', 'target', 'sample-target');

let scratch: string | undefined;
/** The variants as files, in one folder per process: the real machine, the emulator and the analyzer read the same bytes. */
function written(variants: readonly Variant[]): string {
  if (!scratch) {
    const dir = (scratch = mkdtempSync(path.join(os.tmpdir(), 'll-differential-linux-')));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  mkdirSync(scratch, { recursive: true });
  for (const v of variants) writeFileSync(path.join(scratch, variantFile(v.id)), v.bytes);
  return scratch;
}

const byId = (variants: readonly Variant[], verdicts: Verdict[]) => new Map(variants.map((v, i) => [v.id, verdicts[i]]));

/**
 * Debian's Linux 6.1 module loader (its kernel in QEMU, kmod's insmod) against the emulator's
 * insmod on the sample target, with the module ABI of the kernel the modules were built for,
 * and the analyzer: the variants of the seven samples/livepatch modules kbuild built against
 * linux-headers (scripts/kbuild-livepatch-samples.mjs), stripped of DWARF.
 */
export const loader: DifferentialLoader = {
  name: 'linux',
  unavailable: () => kbuildSamples().skip || undefined,
  realUnavailable: () => hostPieces(() => findLinuxPieces(), 'real Linux machine').skip,
  bases: (): Base[] => {
    const samples = kbuildSamples().samples!;
    return Object.entries(samples.modules)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, ko]) => ({ name: name.replace(/^livepatch-/, ''), file: ko, bytes: strippedBase(ko) }));
  },
  mutators: linuxMutators,
  generate: { seed: 16, perBase: 80 },
  fields: ['outcome', 'errno', 'line', 'kernel'],
  runReal: async (variants, progress) => {
    const started = performance.now();
    // Each verdict as it comes, for a reader of a long run (and what is left of one that died).
    const log = path.join(os.tmpdir(), 'll-differential-linux.jsonl');
    writeFileSync(log, '');
    const run = await realVerdicts(
      written(variants),
      variants.map((v) => variantFile(v.id)),
      progress,
      (i, verdict) => appendFileSync(log, `${JSON.stringify({ id: variants[i].id, mutator: variants[i].mutator, description: variants[i].description, real: verdict })}\n`),
    );
    return {
      versions: { kernel: run.kernel, accel: run.accel },
      verdicts: byId(variants, run.verdicts.map(coreVerdict)),
      seconds: (performance.now() - started) / 1000,
      boots: run.boots,
      restores: run.restores.length,
    };
  },
  judges: () => [
    {
      name: 'emulator',
      judge: (variants) =>
        Promise.resolve(
          byId(
            variants,
            emulatorVerdicts(
              written(variants),
              variants.map((v) => variantFile(v.id)),
              sampleTarget,
              kbuildSamples().samples!.headers,
            ).map(coreVerdict),
          ),
        ),
    },
    {
      // `check`: whether it reports an error the kernel would refuse the module for.
      name: 'analyzer',
      fields: ['outcome'],
      judge: (variants) => {
        const dir = written(variants);
        return Promise.resolve(
          new Map(
            variants.map((v) => [
              v.id,
              { outcome: analyzePayloadFile(path.join(dir, variantFile(v.id))).findings.some((f) => f.severity === 'error') ? 'refused' : 'accepted' } satisfies Verdict,
            ]),
          ),
        );
      },
    },
  ],
};

import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findXenPieces } from '../../../../server/out/machines/xenPieces';
import { fromRoot } from '../../support/paths';
import { hostPieces } from '../../unit/machines/hostSkip';
import type { DifferentialLoader } from '../core/loader';
import type { Base } from '../core/mutator';
import type { Variant } from '../core/variant';
import { appliedMutators, xenMutators } from '../xen/mutators';
import { analyzerJudge, emulatorJudge } from '../xen/ourJudges';
import { runRealXen } from '../xen/realXen';
import { uploadName } from '../xen/verdicts';

const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { xenSyms: string } };
const xenSyms = artifacts.files.xenSyms;
const payloads = fromRoot('samples', 'build', 'payloads', 'xen-real', path.basename(xenSyms));
const baseFiles: Record<string, string> = { hello: 'xen_hello_world', bye: 'xen_bye_world', replace: 'xen_replace_world', nop: 'xen_nop' };

/** Applied too: the mutations Xen may judge only then, of the payloads without hooks (whose code the emulator on xen-syms cannot run). */
const applies = (v: Variant): boolean => appliedMutators.has(v.mutator) && v.base !== 'hello';

let scratch: string | undefined;
/** The variants as files, in one folder per process: the real machine, the emulator and the analyzer read the same bytes. */
function written(variants: readonly Variant[]): string {
  scratch ??= mkdtempSync(path.join(os.tmpdir(), 'll-differential-xen-'));
  mkdirSync(scratch, { recursive: true });
  for (const v of variants) writeFileSync(path.join(scratch, `${uploadName(v.id)}.livepatch`), v.bytes);
  return scratch;
}

/**
 * Xen 4.17's loader (Debian's, in QEMU) against the emulator's upload on the same xen-syms and
 * the analyzer: the variants of the sample payloads built for that hypervisor (`npm run samples`).
 */
export const loader: DifferentialLoader = {
  name: 'xen',
  unavailable: () =>
    !existsSync(xenSyms)
      ? `${xenSyms} is not installed: apt-get install xen-hypervisor-4.17-amd64-dbg (or node scripts/xen-artifacts.mjs --install)`
      : Object.values(baseFiles).every((f) => existsSync(path.join(payloads, `${f}.livepatch`)))
        ? undefined
        : `no real-Xen payloads in ${payloads}: npm run samples`,
  realUnavailable: () => hostPieces(() => findXenPieces(), 'real Xen').skip,
  bases: (): Base[] =>
    Object.entries(baseFiles).map(([name, file]) => {
      const full = path.join(payloads, `${file}.livepatch`);
      return { name, file: full, bytes: readFileSync(full) };
    }),
  mutators: xenMutators,
  generate: { seed: 16, perBase: 200 },
  fields: ['outcome', 'errno', 'line'],
  runReal: (variants, progress) => runRealXen(findXenPieces(), written(variants), variants, applies, progress),
  judges: () => [
    { name: 'emulator', judge: (variants) => emulatorJudge(xenSyms, written(variants), applies).judge(variants) },
    { name: 'analyzer', judge: (variants) => analyzerJudge(xenSyms, written(variants), applies).judge(variants) },
  ],
};

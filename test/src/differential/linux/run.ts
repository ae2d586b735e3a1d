import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kbuildSamples } from '../../support/kbuildSamples';
import { fromRoot } from '../../support/paths';
import { emulatorVerdicts, realVerdicts, variantFile } from './judges';
import { LinuxVariant, linuxVariants, sha256, strippedBase } from './variants';

export const linuxSeed = 16;
export const linuxPerBase = 80;
export const sampleTarget = fromRoot('samples', 'build', 'target', 'sample-target');

/** The seven kbuild modules, stripped, by sample name; or why they are not here. */
export function linuxBases(): { bases: Record<string, Buffer>; headers: string } | { skip: string } {
  const samples = kbuildSamples();
  if (!samples.samples) return { skip: samples.skip };
  return { bases: Object.fromEntries(Object.entries(samples.samples.modules).map(([name, ko]) => [name, strippedBase(ko)])), headers: samples.samples.headers };
}

/** Writes the variants as v0000.ko... into a new scratch folder. */
export function writeVariants(variants: LinuxVariant[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'll-linux-variants-'));
  variants.forEach((v, i) => writeFileSync(path.join(dir, variantFile(i)), v.bytes));
  return dir;
}

/** `node test/out/differential/linux/run.js [COUNT]`: both judges on the first COUNT variants, disagreements printed. */
async function main(): Promise<void> {
  const found = linuxBases();
  if ('skip' in found) throw new Error(found.skip);
  const all = linuxVariants(found.bases, linuxSeed, linuxPerBase);
  const count = Math.min(Number(process.argv[2] ?? all.length), all.length);
  const step = Math.max(1, Math.floor(all.length / count));
  const variants = all.filter((_, i) => i % step === 0).slice(0, count);
  const dir = writeVariants(variants);
  writeFileSync(path.join(os.tmpdir(), 'll-linux-variants.txt'), variants.map((v, i) => `${variantFile(i)} ${v.id} [${v.family}] ${v.what}`).join('\n'));
  try {
    const t0 = performance.now();
    const emu = emulatorVerdicts(dir, variants.length, sampleTarget, found.headers);
    const t1 = performance.now();
    const progress = path.join(os.tmpdir(), 'll-linux-progress.jsonl');
    writeFileSync(progress, '');
    const real = await realVerdicts(
      dir,
      variants.length,
      (l) => console.error(l),
      (i, verdict) => appendFileSync(progress, `${JSON.stringify({ file: variantFile(i), id: variants[i].id, what: variants[i].what, real: verdict, emulator: emu[i] })}\n`),
    );
    const t2 = performance.now();
    let same = 0;
    const out: unknown[] = [];
    variants.forEach((v, i) => {
      const e = emu[i];
      const r = real.verdicts[i];
      const agree = e.accepted === r.accepted && e.error === r.error;
      if (agree) same++;
      out.push({ id: v.id, family: v.family, what: v.what, sha256: sha256(v.bytes), real: r, emulator: e, agree });
      if (!agree) console.log(`DIFF ${v.id} [${v.family}] ${v.what}\n  real: ${JSON.stringify(r)}\n  emu:  ${JSON.stringify(e)}`);
    });
    console.log(`${same}/${variants.length} agree; emulator ${((t1 - t0) / 1000).toFixed(1)} s, real ${((t2 - t1) / 1000).toFixed(1)} s, ${real.boots} boots (${real.accel}), ${real.kernel}`);
    writeFileSync(path.join(os.tmpdir(), 'll-linux-differential.json'), JSON.stringify({ kernel: real.kernel, reboots: real.reboots, out }, null, 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module)
  main().catch((error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  });

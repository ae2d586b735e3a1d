import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromRoot } from './paths';

/** What scripts/kbuild-livepatch-samples.mjs leaves in its cache's current.json. */
export interface KbuildSamples {
  abi: string;
  /** The build folder: the sample sources (*.c, Makefile) and the modules built from them. */
  dir: string;
  headers: string;
  /** The Debian -dbg vmlinux, when installed. */
  vmlinux?: string;
  /** Module name (livepatch-sample, ...) -> its .ko. */
  modules: Record<string, string>;
}

const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { linuxAbi: string; files: { vmlinux: string } };
const script = 'node scripts/kbuild-livepatch-samples.mjs';

/**
 * The kernel's samples/livepatch modules built by kbuild, or why a test must skip: the line
 * names what is missing and the command that builds or installs it.
 */
export function kbuildSamples(needs: { vmlinux?: boolean } = {}): { samples: KbuildSamples; skip: false } | { samples?: undefined; skip: string } {
  const manifest = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'livepatch-lens', 'kbuild', artifacts.linuxAbi, 'current.json');
  if (!existsSync(manifest))
    return { skip: `the samples/livepatch modules for ${artifacts.linuxAbi} are not built (no ${manifest}): run \`${script}${needs.vmlinux ? ' --with-vmlinux' : ''}\`` };
  const samples = JSON.parse(readFileSync(manifest, 'utf8')) as KbuildSamples;
  const missing = Object.values(samples.modules).filter((ko) => !existsSync(ko));
  if (missing.length) return { skip: `${missing.join(', ')} missing (the kbuild cache was cleared): run \`${script}\`` };
  if (needs.vmlinux) {
    const vmlinux = artifacts.files.vmlinux;
    if (!existsSync(vmlinux)) return { skip: `${vmlinux} is not installed: run \`${script} --with-vmlinux\` (installs linux-image-${artifacts.linuxAbi}-dbg, about 630 MB)` };
    samples.vmlinux = vmlinux;
  }
  return { samples, skip: false };
}

import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A kernel configuration as the preprocessor sees it: what `include/generated/autoconf.h`
 * defines. Kconfig writes a `CONFIG_X=y` as `#define CONFIG_X 1`, a `CONFIG_X=m` as
 * `#define CONFIG_X_MODULE 1` (CONFIG_X itself stays undefined), a number or string as its
 * value, and a symbol that is not set not at all: so with a configuration known, a `CONFIG_*`
 * name missing from it is known to be undefined.
 */
export interface KernelConfig {
  /** The file it was read from: messages name it. */
  path: string;
  /** Every macro autoconf.h defines, with its replacement text (`1`, `0x1000000`, `"gcc-12"`). */
  macros: ReadonlyMap<string, string>;
}

/** Reads a `.config` (`CONFIG_X=y`, `# CONFIG_X is not set`) or an `autoconf.h`; throws with the file's name when it is neither. */
export function readKernelConfig(file: string): KernelConfig {
  const text = readFileSync(file, 'utf8');
  const macros = new Map<string, string>();
  for (const match of text.matchAll(/^(CONFIG_\w+)=(.*)$/gm)) {
    const [, name, value] = match;
    if (value === 'y') macros.set(name, '1');
    else if (value === 'm') macros.set(`${name}_MODULE`, '1');
    else if (value !== 'n') macros.set(name, value);
  }
  for (const match of text.matchAll(/^#define (CONFIG_\w+) (.*)$/gm)) macros.set(match[1], match[2]);
  if (!macros.size && !/^# CONFIG_\w+ is not set$/m.test(text))
    throw new Error(`${file}: not a kernel configuration (no CONFIG_ lines, as a .config or include/generated/autoconf.h has)`);
  return { path: file, macros };
}

/** The configuration files are big (260 KB) and read on every analysis of a patch: kept while their size and time stay. */
const cache = new Map<string, { stamp: string; config: KernelConfig }>();

/** `readKernelConfig`, read again only when the file changed. */
export function loadKernelConfig(file: string): KernelConfig {
  const stat = statSync(file);
  const stamp = `${stat.size}:${stat.mtimeMs}`;
  const cached = cache.get(file);
  if (cached?.stamp === stamp) return cached.config;
  const config = readKernelConfig(file);
  cache.set(file, { stamp, config });
  return config;
}

export interface KernelConfigSearch {
  /** `livepatch.kernelConfig` / `--kernel-config`: a `.config`, an `autoconf.h`, or a directory holding a `.config`. */
  configured?: string;
  /** The image being patched: a `.config` beside it, or Debian's `/boot/config-RELEASE` for a `vmlinux-RELEASE`. */
  target?: string;
  sourceRoot?: string;
}

/**
 * Which configuration the checks evaluate `CONFIG_*` conditions with: the configured one
 * (whether or not it exists: reading it then says what is wrong), else the first file found
 * next to the target or in the source root (a built tree has `.config` and
 * `include/generated/autoconf.h`). None: conditions on `CONFIG_*` stay unknown.
 */
export function kernelConfigPath(search: KernelConfigSearch): string | undefined {
  if (search.configured) return isDirectory(search.configured) ? path.join(search.configured, '.config') : search.configured;
  return guessedConfigs(search).find((candidate) => existsSync(candidate) && !isDirectory(candidate));
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function guessedConfigs({ target, sourceRoot }: KernelConfigSearch): string[] {
  const found: string[] = [];
  if (target) {
    const dir = path.dirname(target);
    found.push(path.join(dir, '.config'));
    // Debian: /usr/lib/debug/boot/vmlinux-6.1.0-56-amd64 and /boot/vmlinuz-... come with /boot/config-6.1.0-56-amd64.
    const release = /^vmlinu[xz]-(.+)$/.exec(path.basename(target))?.[1];
    if (release) found.push(path.join(dir, `config-${release}`), `/boot/config-${release}`, `/usr/src/linux-headers-${release}/.config`);
  }
  if (sourceRoot) found.push(path.join(sourceRoot, '.config'), path.join(sourceRoot, 'include', 'generated', 'autoconf.h'));
  return found;
}

/** For analyses with no place to report an unreadable configuration (a C source's): none, and its conditions are unknown. */
export function kernelConfigOrNone(file: string | undefined): KernelConfig | undefined {
  try {
    return file ? loadKernelConfig(file) : undefined;
  } catch {
    return undefined;
  }
}

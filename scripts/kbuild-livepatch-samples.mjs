#!/usr/bin/env node
// Builds the kernel's own samples/livepatch modules with kbuild against the Debian headers named in
// scripts/debian-artifacts.json, so slow tests, the emulator's Linux runtime and the QEMU runner all
// load the same real .ko files. Installs the packages only when missing; a warm run (same headers,
// same sources, same compiler) only looks and prints where the modules are.
//
//   node scripts/kbuild-livepatch-samples.mjs [--with-vmlinux] [--json]
//
// Output: <cache>/<abi>/<key>/{*.c,Makefile,*.ko} and <cache>/<abi>/current.json naming that folder
// (<cache> is $XDG_CACHE_HOME/livepatch-lens/kbuild, or ~/.cache/livepatch-lens/kbuild).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { artifacts, ensurePackages as ensureDebianPackages, installedVersion, quiet, run } from './debian-packages.mjs';

const SAMPLE_MODULES = [
  'livepatch-sample',
  'livepatch-shadow-mod',
  'livepatch-shadow-fix1',
  'livepatch-shadow-fix2',
  'livepatch-callbacks-demo',
  'livepatch-callbacks-mod',
  'livepatch-callbacks-busymod',
];

const abi = artifacts.linuxAbi;
const headersPkg = `linux-headers-${abi}`;
const dbgPkg = `linux-image-${abi}-dbg`;
const sourcePkg = Object.keys(artifacts.packages).find((p) => p.startsWith('linux-source-'));
const log = (line) => process.stderr.write(`[kbuild] ${line}\n`);
const ensurePackages = (pkgs) => ensureDebianPackages(pkgs, log, { [dbgPkg]: 'about 630 MB, takes a while' });

// Beside the target cache (server/src/target/targetCache.ts): $XDG_CACHE_HOME or ~/.cache.
const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'livepatch-lens', 'kbuild', abi);

function main() {
  ensurePackages([headersPkg, sourcePkg]);
  const headers = artifacts.files.headers;
  const tarball = artifacts.files.sourceTarball;
  for (const f of [headers, tarball]) if (!existsSync(f)) throw new Error(`${f} is missing although its package is installed`);

  // The key: everything that changes the bytes of the modules, known without unpacking the tarball.
  const gcc = execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const key = createHash('sha256')
    .update([abi, installedVersion(headersPkg), sourcePkg, installedVersion(sourcePkg), gcc, readFileSync(new URL(import.meta.url))].join('\0'))
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(cacheRoot, key);
  const manifest = path.join(cacheRoot, 'current.json');
  if (!SAMPLE_MODULES.every((m) => existsSync(path.join(dir, `${m}.ko`)))) build(dir, headers, tarball);
  // The 630 MB vmlinux comes after the modules, which others can use while it downloads.
  if (process.argv.includes('--with-vmlinux')) ensurePackages([dbgPkg]);
  const modules = Object.fromEntries(SAMPLE_MODULES.map((m) => [m, path.join(dir, `${m}.ko`)]));
  const vmlinux = existsSync(artifacts.files.vmlinux) ? artifacts.files.vmlinux : undefined;
  const facts = { abi, dir, headers, vmlinux, modules };
  writeFileSync(manifest, JSON.stringify(facts, null, 2) + '\n');
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(facts, null, 2) + '\n');
  else {
    process.stdout.write(`samples/livepatch modules built against ${headersPkg} in ${dir}\n`);
    for (const ko of Object.values(modules)) process.stdout.write(`  ${ko}\n`);
    process.stdout.write(vmlinux ? `vmlinux: ${vmlinux}\n` : `no vmlinux (${artifacts.files.vmlinux}); add --with-vmlinux to install ${dbgPkg}\n`);
  }
}

/** Unpacks samples/livepatch only and builds it with the kernel's own Makefile, in a scratch folder renamed into place. */
function build(dir, headers, tarball) {
  mkdirSync(cacheRoot, { recursive: true });
  const scratch = mkdtempSync(path.join(cacheRoot, '.build-'));
  try {
    log(`unpacking samples/livepatch from ${tarball}`);
    const top = path.basename(tarball).replace(/\.tar\.xz$/, '');
    execFileSync('tar', ['-xJf', tarball, '-C', scratch, '--strip-components=3', `${top}/samples/livepatch`]);
    for (const m of SAMPLE_MODULES) if (!existsSync(path.join(scratch, `${m}.c`))) throw new Error(`${tarball} has no samples/livepatch/${m}.c`);
    log(`make -C ${headers} M=${scratch} CONFIG_SAMPLE_LIVEPATCH=m modules`);
    const started = Date.now();
    // The scratch folder's random name would land in the DWARF of every module, so each build would
    // give other bytes, and the differential's recordings (which hold the modules' hashes) would
    // not match a rebuild on another machine: map it to one fixed name.
    const prefixMap = `KCFLAGS=-ffile-prefix-map=${scratch}=/livepatch-lens/samples/livepatch`;
    const ok = run('make', ['-s', '-C', headers, `M=${scratch}`, 'CONFIG_SAMPLE_LIVEPATCH=m', prefixMap, `-j${SAMPLE_MODULES.length}`, 'modules'], quiet);
    if (!ok) throw new Error(`kbuild failed in ${scratch}`);
    const missing = SAMPLE_MODULES.filter((m) => !existsSync(path.join(scratch, `${m}.ko`)));
    if (missing.length) throw new Error(`kbuild made no ${missing.join(', ')}`);
    log(`built ${SAMPLE_MODULES.length} modules in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(scratch, dir);
    // Older keys are stale builds of the same ABI: keep only the current one (and others' scratch folders).
    for (const old of readdirSync(cacheRoot))
      if (old !== path.basename(dir) && !old.startsWith('.') && !old.endsWith('.json')) rmSync(path.join(cacheRoot, old), { recursive: true, force: true });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  log(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

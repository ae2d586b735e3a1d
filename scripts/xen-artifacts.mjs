#!/usr/bin/env node
// Finds Debian's Xen hypervisor with its symbols (xen-syms, from the -dbg package named in
// scripts/debian-artifacts.json), installs that package when asked, and builds the real-Xen sample
// payloads against it (samples/Makefile's `real-xen` goal), so the slow tests, the QEMU runner and an
// author use the same payloads.
//
//   node scripts/xen-artifacts.mjs [--install] [--json]
//
// Without --install a missing package is only named (with the command that installs it), never fetched.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { artifacts, ensurePackages, installedVersion, quiet, repoRoot, run } from './debian-packages.mjs';

const dbgPkg = Object.keys(artifacts.packages).find((p) => /^xen-hypervisor-.*-dbg$/.test(p));
const xenSyms = artifacts.files.xenSyms;
const log = (line) => process.stderr.write(`[xen] ${line}\n`);

function main() {
  if (process.argv.includes('--install')) ensurePackages([dbgPkg], log);
  const version = installedVersion(dbgPkg);
  if (!existsSync(xenSyms)) {
    log(`no ${xenSyms}: ${version ? `${dbgPkg} ${version} is installed but lacks it` : `${dbgPkg} is not installed`}; run node scripts/xen-artifacts.mjs --install`);
    process.exit(2);
  }
  log(`make -C samples real-xen XEN_SYMS=${xenSyms}`);
  if (!run('make', ['-s', '-C', path.join(repoRoot, 'samples'), 'real-xen', `XEN_SYMS=${xenSyms}`], quiet)) throw new Error('building the real-Xen payloads failed');
  const dir = path.join(repoRoot, 'samples', 'build', 'payloads', 'xen-real', path.basename(xenSyms));
  const facts = { package: dbgPkg, version, xenSyms, dir };
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(facts, null, 2) + '\n');
  else process.stdout.write(`real-Xen payloads for ${xenSyms} (${dbgPkg} ${version}) in ${dir}\n`);
}

try {
  main();
} catch (e) {
  log(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

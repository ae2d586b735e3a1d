// Reading scripts/debian-artifacts.json and installing the packages it pins: shared by the scripts that
// fetch real Debian artifacts (kbuild-livepatch-samples.mjs, xen-artifacts.mjs), so each names a package
// only by its key there and installs it the same way.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const artifacts = JSON.parse(readFileSync(path.join(repoRoot, 'scripts', 'debian-artifacts.json'), 'utf8'));

/** The installed version of a package, or undefined when it is not installed (or there is no dpkg). */
export const installedVersion = (pkg) => {
  const r = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Status} ${Version}', pkg], { encoding: 'utf8' });
  const [status, version] = (r.stdout ?? '').split(' ');
  return r.status === 0 && status === 'installed' ? version : undefined;
};

/** Runs a program (named, with an argument array: no shell); true when it succeeds. */
export const run = (program, args, stdio) => spawnSync(program, args, { stdio }).status === 0;
// apt's and make's progress is noise here; their errors (stderr) are what a failure needs.
export const quiet = ['ignore', 'ignore', 'inherit'];
const aptCommand = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-o', 'DPkg::Lock::Timeout=900'];
const [aptProgram, ...aptPrefix] = process.getuid?.() === 0 ? aptCommand : ['sudo', ...aptCommand];
const apt = (...args) => run(aptProgram, [...aptPrefix, ...args], quiet);

let updated = false;
/**
 * Installs each missing package at its pinned version, or at the candidate when Debian no longer has that one.
 * `log` prints a progress line; `notes` adds a word about a package (its size) to the line that installs it.
 */
export function ensurePackages(pkgs, log, notes = {}) {
  for (const pkg of pkgs) {
    const pinned = artifacts.packages[pkg];
    if (!pinned) throw new Error(`scripts/debian-artifacts.json pins no ${pkg}`);
    const have = installedVersion(pkg);
    if (have) {
      if (have !== pinned) log(`${pkg} ${have} is installed (debian-artifacts.json pins ${pinned}); using it`);
      continue;
    }
    if (!updated) {
      log('apt-get update');
      if (!apt('update', '-qq')) throw new Error('apt-get update failed');
      updated = true;
    }
    log(`installing ${pkg}=${pinned}${notes[pkg] ? ` (${notes[pkg]})` : ''}`);
    if (apt('install', '-y', '-qq', '--no-install-recommends', `${pkg}=${pinned}`)) continue;
    log(`${pkg}=${pinned} is not available from Debian any more; installing the candidate version instead`);
    if (!apt('install', '-y', '-qq', '--no-install-recommends', pkg)) throw new Error(`could not install ${pkg}`);
    log(`${pkg} ${installedVersion(pkg)} installed in place of the pinned ${pinned}`);
  }
}

import { readFileSync } from 'node:fs';
import type { LinuxKernel } from '../../../server/out/emulator/klp/kernel';
import { runLinuxCommand } from '../../../server/out/emulator/klp/shell';

/**
 * A shell command line on an emulated Linux kernel, as a scenario gives it (`cmd args [> path]`);
 * module files by their kbuild name (`livepatch-sample.ko`).
 */
export function linuxShell(kernel: LinuxKernel, modules: Record<string, string>) {
  return (text: string) => {
    const argv = text.split(' ');
    const redirect = argv.indexOf('>');
    const command =
      redirect < 0
        ? { argv, expect: 0, text, source: 'test' }
        : { argv: argv.slice(0, redirect), redirect: { path: argv[redirect + 1], append: false }, expect: 0, text, source: 'test' };
    return runLinuxCommand(kernel, command, { readFile: (p) => readFileSync(modules[p.replace(/\.ko$/, '')] ?? p) });
  };
}

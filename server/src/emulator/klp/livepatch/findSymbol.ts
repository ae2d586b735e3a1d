import { LivepatchKernel } from './kernelPort';
import { EINVAL } from '../errno';

/**
 * klp_find_object_symbol(): the kallsyms walk stops at the sympos-th match, or at the second
 * one when sympos is 0 (which must then be unique). The messages are the kernel's, including
 * its "(null)" for vmlinux in the ambiguity message (printk's %s of a NULL objname).
 */
export function findObjectSymbol(kernel: LivepatchKernel, objectName: string | null, name: string, sympos: bigint): { address: bigint } | { errno: number } {
  const matches = kernel.kallsymsLookup(objectName, name);
  const stop = sympos > 0n ? Number(sympos) : 2;
  const count = Math.min(matches.length, stop);
  const address = count ? matches[count - 1] : 0n;
  let error: string | undefined;
  if (address === 0n) error = `symbol '${name}' not found in symbol table`;
  else if (count > 1 && sympos === 0n) error = `unresolvable ambiguity for symbol '${name}' in object '${objectName ?? '(null)'}'`;
  else if (sympos > 0n && BigInt(count) !== sympos) error = `symbol position ${sympos} for symbol '${name}' in object '${objectName ?? 'vmlinux'}' not found`;
  if (error === undefined) return { address };
  kernel.printk(`\x013livepatch: ${error}\n`);
  return { errno: -EINVAL };
}

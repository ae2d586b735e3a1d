import { REAL_LINUX_SYMBOLS } from './klp/realImage/realLinux';
import { REAL_XEN_SYMBOLS } from './xen/realImage/realXen';

/**
 * What the emulator boots an image as, from the symbols it defines: a real vmlinux as a Linux
 * kernel of its own code (klp/realImage), a real xen-syms as a hypervisor (xen/realImage), or
 * undefined: the bundled sample target's model, or an image that is neither.
 */
export function realImageKind(defines: (name: string) => boolean): 'linux' | 'xen' | undefined {
  if (REAL_LINUX_SYMBOLS.every(defines)) return 'linux';
  if (REAL_XEN_SYMBOLS.every(defines)) return 'xen';
  return undefined;
}

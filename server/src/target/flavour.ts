import type { TargetSymbol } from './model';

/**
 * What the image is: the Linux kernel (klp redirects functions through ftrace at their fentry
 * call), the Xen hypervisor (it writes a jump at the function, sized by old_size), or an image that
 * is neither for certain (the bundled sample target plays both, so what the user loads decides).
 */
export type TargetFlavour = 'linux' | 'xen' | 'either';

export interface FlavourFacts {
  flavour: TargetFlavour;
  /** Xen built with CONFIG_XEN_IBT: its functions may start with ENDBR64, which a patch site must keep. */
  xenIbt: boolean;
}

/**
 * From the symbols: Xen's C entry point `__start_xen`, and Linux's `linux_banner`. Notes do not
 * tell: a vmlinux carries owner-"Xen" notes (it boots as a PVH guest) and xen-syms only its GNU
 * build-id. CONFIG_XEN_IBT leaves its `opt_xen_ibt` command-line option, and ENDBR64 at the start
 * of every function called indirectly.
 */
export function detectFlavour(named: (name: string) => TargetSymbol[], anyEndbr: () => boolean): FlavourFacts {
  const xen = named('__start_xen').some((s) => s.kind === 'function');
  const linux = named('linux_banner').length > 0;
  const flavour: TargetFlavour = xen && !linux ? 'xen' : linux && !xen ? 'linux' : 'either';
  return { flavour, xenIbt: flavour === 'xen' && (named('opt_xen_ibt').length > 0 || anyEndbr()) };
}

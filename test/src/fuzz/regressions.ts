import { Recipe } from './recipe';

/**
 * Every failure the fuzzer found, as the recipe that reproduces it (a seed sample and the
 * mutations), replayed by regressions.test.ts: each must now run through its steps with no
 * failure. `found` is the signature the campaign reported. Offsets are those of the samples
 * `npm run samples` builds; the test checks that each mutation still hits the field it names.
 */
export interface Regression {
  found: string;
  recipe: Recipe;
}

export const regressions: Regression[] = [
  {
    found: 'xen: GuestFault escaped from emu upload at readGuestFunc (emulator/xen/guestLayout.js)',
    recipe: { kind: 'xen', sample: 'samples/build/payloads/xen/xen_replace_world.livepatch', ops: [{ op: 'write', at: 3760, hex: '0000004000000000', what: '.rela.livepatch.funcs[0].r_addend' }] },
  },
  {
    found: 'xen: GuestFault escaped from emu apply at startsWithEndbr (emulator/xen/x86Patch.js)',
    recipe: { kind: 'xen', sample: 'samples/build/payloads/xen/xen_nop.livepatch', ops: [{ op: 'write', at: 240, hex: 'ffffffff00000000', what: '.livepatch.funcs+0x10' }] },
  },
  {
    found: 'xen: timeout in emu upload [random bytes] (a .bss of about 2^64 bytes)',
    recipe: { kind: 'xen', sample: 'samples/build/payloads/xen/xen_prepost_hooks.livepatch', ops: [{ op: 'write', at: 15379, hex: '86f885d277494f42ea45', what: 'random bytes' }] },
  },
  {
    found: 'xen: timeout in emu upload [shdr[.bss.post_revert_cnt].sh_size] (a 1 GiB .bss, every page allocated up front)',
    recipe: { kind: 'xen', sample: 'samples/build/payloads/xen/xen_prepost_hooks.livepatch', ops: [{ op: 'write', at: 15440, hex: '0000004000000000', what: 'shdr[38 .bss.post_revert_cnt].sh_size' }] },
  },
];

/**
 * Rejections whose message does not say where the problem is, found by the fuzzer in code this
 * helper does not own; counted and printed by every campaign and the smoke, not failed, until
 * the wording is fixed (then delete the entry: the smoke fails if one comes back).
 */
export const knownMessageGaps: ReadonlySet<string> = new Set([
  // The emulator refuses a malformed ELF with EINVAL (the LP302 finding) but prints no
  // `livepatch: NAME: ...` console line, so `emu upload` says only "Error 22: Invalid argument".
  'xen: message: emu upload: refused without a console line naming the payload: Error N: Invalid argument',
  'xen: message: emu upload: refused without a console line naming the payload: Error N: Value too large for defined data type',
  'xen: message: emu upload: refused without a console line naming the payload: Error N: Operation not supported',
  'xen: message: emu upload: refused without a console line naming the payload: Error N: Numerical result out of range',
]);

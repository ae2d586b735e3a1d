import { endbr64Length, patchInsnSize } from '../../payload';

export interface XenPatchSite {
  /** Where Xen writes, from the function's start: past an ENDBR64, which must stay its first instruction (CET-IBT). */
  offset: number;
  /** Bytes old_size must cover: the 5-byte jmp rel32, after the ENDBR64 if there is one. */
  needed: number;
  fits: boolean;
}

/** Bytes Xen writes from the function's start: the jmp rel32, after the ENDBR64 if there is one. */
export const xenPatchBytes = (endbr: boolean): number => (endbr ? endbr64Length : 0) + patchInsnSize;

/** How Xen patches a function (arch_livepatch_verify_func, arch_livepatch_apply): by its size and ENDBR64, not by fentry. */
export function xenPatchSite(fn: { size: bigint; endbr: boolean }): XenPatchSite {
  const offset = fn.endbr ? endbr64Length : 0;
  const needed = xenPatchBytes(fn.endbr);
  return { offset, needed, fits: fn.size >= BigInt(needed) };
}

/**
 * `struct livepatch_func` on x86-64 (xen/include/public/sysctl.h). Both layouts share the
 * first 33 bytes; version 1 ends after `opaque[31]` at 64 bytes, version 2 adds `applied`,
 * `_pad[7]` and the 32-byte `expect` (104 bytes). The `version` byte at offset 32 picks one.
 */
export const funcField = { name: 0n, newAddr: 8n, oldAddr: 16n, newSize: 24, oldSize: 28, version: 32 } as const;

/** `reserved`: the [start, end) byte ranges the hypervisor owns (opaque, _pad), zero in a payload. */
// prettier-ignore
export const funcLayouts: Record<1 | 2, { size: number; reserved: Array<[number, number]>; applied?: number; expect?: number }> = {
  1: { size: 64, reserved: [[33, 64]] },
  2: { size: 104, reserved: [[33, 64], [65, 72]], applied: 64, expect: 72 },
};

/** The version current Xen accepts (LIVEPATCH_PAYLOAD_VERSION). */
export const currentPayloadVersion = 2;

/** LIVEPATCH_OPAQUE_SIZE: the most bytes a NOP-out may cover and an expectation may hold. */
export const opaqueSize = 31;
/** ARCH_PATCH_INSN_SIZE on x86: the `E9 rel32` Xen writes at the old function. */
export const patchInsnSize = 5;
/** ENDBR64 (or its poison) stays first under CET: the jump goes after it. */
export const endbr64Length = 4;
/** LIVEPATCH_MAX_SIZE: the largest payload upload accepts, and the largest writable SHT_NOBITS section. */
export const livepatchMaxSize = 2n * 1024n * 1024n;
/** ARCH_LIVEPATCH_RANGE on x86: the reach of rel32. */
export const livepatchRange = 1n << 31n;

export function layoutFor(version: number): 1 | 2 {
  return version === 1 ? 1 : 2;
}

import { funcField, funcLayouts } from '../../payload/xen/funcsLayout';
import { Memory } from '../memory';

// Hypervisor structures as they sit in guest memory, where hooks and the natives they call see
// them: the payload's `struct livepatch_func` (version 2), Xen's `struct livepatch_fstate`
// (per-function state kept outside the read-only `.livepatch.funcs`), and `struct payload`.

export const funcEntrySize = BigInt(funcLayouts[2].size);
const expectOffset = BigInt(funcLayouts[2].expect!);

/** `struct livepatch_fstate { unsigned int patch_offset; enum applied; uint8_t insn_buffer[31]; }`. */
export const fstateField = { patchOffset: 0n, applied: 4n, insnBuffer: 8n } as const;
export const fstateSize = 40n;
export const LIVEPATCH_FUNC_NOT_APPLIED = 0;
export const LIVEPATCH_FUNC_APPLIED = 1;

/**
 * `struct payload` (xen/include/xen/livepatch_payload.h) at Xen's x86-64 offsets up to `nfuncs`,
 * the fields hooks use; `name` follows at 128 (in Xen it comes after the symbol and hook tables).
 */
// prettier-ignore
export const payloadField = {
  state: 0n, rc: 4n, reverted: 8n, safeToReapply: 9n,
  textAddr: 32n, textSize: 40n, rwAddr: 48n, rwSize: 56n, roAddr: 64n, roSize: 72n, pages: 80n,
  funcs: 104n, fstate: 112n, nfuncs: 120n, name: 128n,
} as const;
export const payloadStructSize = 256n;

/** One `struct livepatch_func` read from guest memory. */
export interface GuestFunc {
  address: bigint;
  name: string;
  newAddr: bigint;
  oldAddr: bigint;
  newSize: number;
  oldSize: number;
  version: number;
  expect: { enabled: boolean; len: number; rsv: number; data: Uint8Array };
}

export function readGuestFunc(memory: Memory, address: bigint): GuestFunc {
  const namePointer = memory.readU64(address + funcField.name);
  const bits = memory.readU8(address + expectOffset);
  // prettier-ignore
  return {
    address,
    name: namePointer ? memory.readCString(namePointer, 128) : '',
    newAddr: memory.readU64(address + funcField.newAddr),
    oldAddr: memory.readU64(address + funcField.oldAddr),
    newSize: memory.readU32(address + BigInt(funcField.newSize)),
    oldSize: memory.readU32(address + BigInt(funcField.oldSize)),
    version: memory.readU8(address + BigInt(funcField.version)),
    expect: { enabled: (bits & 1) === 1, len: (bits >> 1) & 0x1f, rsv: bits >> 6, data: memory.read(address + expectOffset + 1n, 31) },
  };
}

/** old_addr is the one field of `.livepatch.funcs` the hypervisor writes (name lookup at load). */
export function writeOldAddr(memory: Memory, func: bigint, value: bigint): void {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  memory.write(func + funcField.oldAddr, bytes, { force: true });
}

export const fstateApplied = (memory: Memory, fstate: bigint): number => memory.readU32(fstate + fstateField.applied);

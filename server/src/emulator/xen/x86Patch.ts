import { endbr64Length, patchInsnSize } from '../../payload';
import { Memory } from '../memory';
import { addNops } from './nops';
import { fstateField, GuestFunc, readGuestFunc } from './guestLayout';

// xen/arch/x86/livepatch.c on guest memory: the jump or NOPs written at the old function, the
// bytes they cover saved in the function's fstate so revert can put them back.

const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa];
/** What Xen overwrites unused ENDBR64s with (`osp nopl (%rax)`); patching keeps clear of it too. */
const ENDBR64_POISON = [0x66, 0x0f, 0x1f, 0x00];

export function startsWithEndbr(memory: Memory, address: bigint): boolean {
  const head = memory.read(address, endbr64Length);
  return [ENDBR64, ENDBR64_POISON].some((pattern) => pattern.every((b, i) => head[i] === b));
}

/** livepatch_insn_len(): 5 for a jump, the NOP-out length past the ENDBR64 otherwise. */
function insnLength(func: GuestFunc, patchOffset: number): number {
  return func.newAddr ? patchInsnSize : func.newSize - patchOffset;
}

/** arch_livepatch_apply(func, fstate). */
export function archApply(memory: Memory, funcAddress: bigint, fstate: bigint): void {
  const func = readGuestFunc(memory, funcAddress);
  const patchOffset = startsWithEndbr(memory, func.oldAddr) ? endbr64Length : 0;
  memory.writeU32(fstate + fstateField.patchOffset, patchOffset);
  const length = insnLength(func, patchOffset);
  if (length <= 0) return;
  const at = func.oldAddr + BigInt(patchOffset);
  memory.write(fstate + fstateField.insnBuffer, memory.read(at, length));
  memory.pokeText(at, func.newAddr ? jumpTo(at, func.newAddr) : addNops(length));
}

/** arch_livepatch_revert(func, fstate): the saved bytes back where they were. */
export function archRevert(memory: Memory, funcAddress: bigint, fstate: bigint): void {
  const func = readGuestFunc(memory, funcAddress);
  const patchOffset = memory.readU32(fstate + fstateField.patchOffset);
  const length = insnLength(func, patchOffset);
  if (length <= 0) return;
  memory.pokeText(func.oldAddr + BigInt(patchOffset), memory.read(fstate + fstateField.insnBuffer, length));
}

/** `jmp rel32` at `at` to `target`. */
export function jumpTo(at: bigint, target: bigint): Uint8Array {
  const insn = new Uint8Array(patchInsnSize);
  insn[0] = 0xe9;
  new DataView(insn.buffer).setInt32(1, Number(BigInt.asIntN(32, target - (at + BigInt(patchInsnSize)))), true);
  return insn;
}

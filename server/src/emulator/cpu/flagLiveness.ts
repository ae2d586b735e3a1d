import { FlowControl, Instruction, Mnemonic, OpKind } from 'iced-x86';
import { FlagSource, fuses } from './conditions';
import { constantShiftCount } from './shiftInline';

// Which inline flag stores of a block anything can read. Uses iced's RflagsBits, whose six status
// bits (OF SF ZF AF CF PF) are the low bits.

const STATUS_FLAGS = 0x3f;
const CARRY = 0x10;
/** Instructions whose generated code stores lazy flags inline and can skip the store when dead. */
const INLINE_FLAGS = new Set<Mnemonic>([
  Mnemonic.Add,
  Mnemonic.Adc,
  Mnemonic.Sub,
  Mnemonic.Sbb,
  Mnemonic.Cmp,
  Mnemonic.And,
  Mnemonic.Or,
  Mnemonic.Xor,
  Mnemonic.Test,
  Mnemonic.Inc,
  Mnemonic.Dec,
  Mnemonic.Neg,
  Mnemonic.Xadd,
  Mnemonic.Imul,
]);

/** The kind of operands an inline flag store leaves for the conditions after it (conditions.ts). */
const SOURCE_KIND = new Map<Mnemonic, FlagSource['kind']>([
  [Mnemonic.Add, 'add'],
  [Mnemonic.Xadd, 'add'],
  [Mnemonic.Sub, 'sub'],
  [Mnemonic.Cmp, 'sub'],
  [Mnemonic.Neg, 'sub'],
  [Mnemonic.And, 'logic'],
  [Mnemonic.Or, 'logic'],
  [Mnemonic.Xor, 'logic'],
  [Mnemonic.Test, 'logic'],
  [Mnemonic.Inc, 'step'],
  [Mnemonic.Dec, 'step'],
]);

/**
 * Flag liveness over a block, backwards from its end: an inline flag store is dead when later
 * instructions overwrite all of it before anything reads it; so is a shift by a constant, which
 * then runs without its helper. Any other flag-touching instruction counts as reading every flag,
 * because its helper merges into them. Where the block may leave (its end, a side exit) every
 * flag is live, except on a branch back to `loopStart`: there only what the block itself reads
 * before writing is, found by iterating to a fixed point (the flags only ever grow). A jcc, setcc
 * or cmovcc that compares the operands of the flag store before it (conditions.ts) reads nothing.
 */
export function liveFlagStores(block: Instruction[], loopStart?: bigint): boolean[] {
  let entry = 0;
  for (;;) {
    const { live, needed } = backwards(block, loopStart, entry);
    if ((needed | entry) === entry) return live;
    entry |= needed;
  }
}

function backwards(block: Instruction[], loopStart: bigint | undefined, entry: number): { live: boolean[]; needed: number } {
  const live: boolean[] = new Array<boolean>(block.length);
  const fused = fusedReaders(block);
  const last = block[block.length - 1];
  let needed = loopsBack(last, loopStart) && last.flowControl === FlowControl.UnconditionalBranch ? entry : STATUS_FLAGS;
  for (let i = block.length - 1; i >= 0; i--) {
    const ins = block[i];
    const written = ins.rflagsModified & STATUS_FLAGS;
    // A live constant shift runs its helper, which reads every flag like any other helper.
    const shift = constantShiftCount(ins) !== undefined;
    live[i] = !(INLINE_FLAGS.has(ins.mnemonic) || shift) || (written & needed) !== 0;
    const inline = INLINE_FLAGS.has(ins.mnemonic) || (shift && !live[i]);
    let read = fused[i] ? 0 : ins.rflagsRead & STATUS_FLAGS;
    if (!inline && written) read = STATUS_FLAGS;
    if (ins.mnemonic === Mnemonic.Inc || ins.mnemonic === Mnemonic.Dec) read |= CARRY;
    if (ins.flowControl === FlowControl.ConditionalBranch) read |= loopsBack(ins, loopStart) ? entry : STATUS_FLAGS;
    needed = (needed & ~(inline ? written : 0)) | read;
  }
  return { live, needed };
}

/** Which instructions evaluate their condition from the operands of an earlier inline flag store. */
function fusedReaders(block: Instruction[]): boolean[] {
  let source: FlagSource['kind'] | undefined;
  return block.map((ins) => {
    const fused = source !== undefined && isConditional(ins) && fuses(source, ins.conditionCode);
    if (ins.rflagsModified & STATUS_FLAGS) source = SOURCE_KIND.get(ins.mnemonic);
    return fused;
  });
}

/** The instructions whose emitter asks Emitter.condition. */
function isConditional(ins: Instruction): boolean {
  const m = ins.mnemonic;
  return ins.isJccShortOrNear || (m >= Mnemonic.Cmova && m <= Mnemonic.Cmovs) || (m >= Mnemonic.Seta && m <= Mnemonic.Sets);
}

/** Whether `ins` is a direct branch to `loopStart`. */
export function loopsBack(ins: Instruction, loopStart: bigint | undefined): boolean {
  const direct = ins.isJccShortOrNear || (ins.mnemonic === Mnemonic.Jmp && ins.op0Kind === OpKind.NearBranch64);
  return loopStart !== undefined && direct && ins.nearBranch64 === loopStart;
}

import type { DisassembledInstruction } from '../../elf';
import { isNullField, patchInsnSize, XenFunc } from '../../payload';
import type { TargetSymbol } from '../../target';
import { xenPatchSite, XenPatchSite } from '../facts/xenPatchSite';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/** An instruction's text on one line, as messages quote it. */
const asm = (i: DisassembledInstruction): string => i.text.replace(/\s+/g, ' ');

/** The function's instructions with their offsets and lengths: what the messages show. */
const listing = (code: DisassembledInstruction[], start: bigint): string => code.map((i) => `+${Number(i.address - start)} (${i.bytes.length} bytes) ${asm(i)}`).join('; ');

/** Instructions after which execution does not fall through: where a function leaves (or loops back). */
const endsFlow = (i: DisassembledInstruction): boolean => i.flow === 'return' || i.flow === 'jump' || i.flow === 'indirect-jump';

/** The old function as decoded from the target, with each instruction's offset from its start. */
interface OldCode {
  symbol: TargetSymbol;
  code: DisassembledInstruction[];
  offsetOf: (i: DisassembledInstruction) => number;
  /** Where Xen writes: past an ENDBR64. */
  site: XenPatchSite;
}

/**
 * LP338, LP339: what Xen writes at the old function, judged against its decoded instructions
 * (beyond what Xen checks: it only compares sizes). Xen writes at the patch offset, past an ENDBR64:
 * new_size NOPs for a NOP-out, a 5-byte jmp otherwise (arch_livepatch_apply).
 */
export function checkPatchSite(sink: FindingSink, where: string, f: XenFunc, symbol: TargetSymbol, code: DisassembledInstruction[]): void {
  if (!code.length || f.oldSize === 0) return;
  const old: OldCode = { symbol, code, offsetOf: (i) => Number(i.address - symbol.address), site: xenPatchSite(symbol) };
  if (isNullField(f.newAddr)) checkNopOut(sink, where, f, old);
  else checkJumpSite(sink, where, f, old);
}

function checkNopOut(sink: FindingSink, where: string, f: XenFunc, { symbol, code, offsetOf, site }: OldCode): void {
  if (f.newSize === 0 || f.newSize > f.oldSize) return; // nothing written, or LP308
  const end = site.offset + f.newSize;
  const cut = code.find((i) => offsetOf(i) < end && end < offsetOf(i) + i.bytes.length);
  const wayOut = code.find((i) => offsetOf(i) >= end && endsFlow(i));
  if (!cut && wayOut) return;
  const removed = code.filter((i) => offsetOf(i) >= site.offset && offsetOf(i) < end && endsFlow(i));
  const problems = [
    ...(cut
      ? [
          `the ${f.newSize} NOPs from +${site.offset} end at +${end}, inside \`${asm(cut)}\` (+${offsetOf(cut)}, ${cut.bytes.length} bytes), so the CPU decodes the rest of that instruction's bytes as new instructions`,
        ]
      : []),
    ...(!wayOut
      ? [
          `no ret or jmp is left after them${removed.length ? ` (they overwrite ${removed.map((i) => `\`${asm(i)}\``).join(', ')})` : ''}, so execution runs off the end of ${symbol.name} into whatever follows it`,
        ]
      : []),
  ];
  // The longest NOP-out within new_size that ends on an instruction boundary with a way out after it.
  const fit = code
    .map(offsetOf)
    .filter((b) => b > site.offset && b <= end && code.some((i) => offsetOf(i) >= b && endsFlow(i)))
    .sort((a, b) => b - a)[0];
  sink.add(
    payloadChecks.nopBoundary,
    where,
    `NOP-out of ${symbol.name}: ${problems.join('; and ')}. ${symbol.name} in the target is ${symbol.size} bytes: ${listing(code, symbol.address)}. ` +
      'Xen accepts it (it checks only new_size <= old_size and <= 31) and the next call runs broken code: a real Xen 4.17 died with "*** DOUBLE FAULT ***" on a `new_size = SZ - 1` NOP-out of a function ending in `jmp __x86_return_thunk`. ' +
      (fit !== undefined
        ? `NOP whole instructions and keep the way out: new_size ${fit - site.offset} here (take it from the decoded function, not from old_size).`
        : 'Replace the function with a jump to new code instead of NOPing it.'),
  );
}

function checkJumpSite(sink: FindingSink, where: string, f: XenFunc, { symbol, code, offsetOf, site }: OldCode): void {
  if (f.oldSize < site.needed) return; // LP307
  const from = site.offset;
  const to = site.offset + patchInsnSize;
  const landing = (i: DisassembledInstruction): number | undefined => (i.branchTarget === undefined ? undefined : Number(i.branchTarget - symbol.address));
  const landings = code.filter((i) => {
    const at = landing(i);
    return at !== undefined && at > from && at < to;
  });
  if (!landings.length) return;
  sink.add(
    payloadChecks.jumpOverBranchTarget,
    where,
    `the ${patchInsnSize}-byte jmp Xen writes at +${from} of ${symbol.name} overwrites bytes +${from}..+${to - 1}, and ${landings.map((i) => `\`${asm(i)}\` at +${offsetOf(i)} branches to +${landing(i)}`).join(', ')}: ` +
      `a thread that takes that branch after the patch lands inside the jmp's displacement and runs its bytes as instructions. ${symbol.name}: ${listing(code, symbol.address)}. ` +
      `Xen does not check this. Patch a caller of ${symbol.name} instead, or a function whose first ${to} bytes no branch lands in.`,
  );
}

import type { DisassembledInstruction } from '../../elf';
import { isNullField, patchInsnSize, XenFunc } from '../../payload';
import type { TargetSymbol } from '../../target';
import { xenPatchSite } from '../facts/xenPatchSite';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/** One instruction as the message shows it: its offset in the function, its bytes' length and its text. */
const shown = (i: DisassembledInstruction, start: bigint): string => `+${Number(i.address - start)} (${i.bytes.length} bytes) ${i.text.replace(/\s+/g, ' ')}`;
const listing = (code: DisassembledInstruction[], start: bigint): string => code.map((i) => shown(i, start)).join('; ');

/** Instructions after which execution does not fall through: where a function leaves (or loops back). */
const endsFlow = (i: DisassembledInstruction): boolean => i.flow === 'return' || i.flow === 'jump' || i.flow === 'indirect-jump';

/**
 * LP338, LP339: what Xen writes at the old function, judged against its decoded instructions
 * (beyond what Xen checks: it only compares sizes). Xen writes at the patch offset, past an ENDBR64:
 * new_size NOPs for a NOP-out, a 5-byte jmp otherwise (arch_livepatch_apply).
 */
export function checkPatchSite(sink: FindingSink, where: string, f: XenFunc, symbol: TargetSymbol, code: DisassembledInstruction[]): void {
  if (!code.length || f.oldSize === 0) return;
  const start = symbol.address;
  const site = xenPatchSite(symbol);
  const offsetOf = (i: DisassembledInstruction): number => Number(i.address - start);
  const boundaries = new Set([...code.map(offsetOf), Number(symbol.size)]);
  if (isNullField(f.newAddr)) {
    if (f.newSize === 0 || f.newSize > f.oldSize) return; // nothing written, or LP308
    const end = site.offset + f.newSize;
    const cut = code.find((i) => offsetOf(i) < end && end < offsetOf(i) + i.bytes.length);
    const wayOut = code.find((i) => offsetOf(i) >= end && endsFlow(i));
    const removed = code.filter((i) => offsetOf(i) >= site.offset && offsetOf(i) < end && endsFlow(i));
    if (!cut && wayOut) return;
    const problems = [
      ...(cut
        ? [
            `the ${f.newSize} NOPs from +${site.offset} end at +${end}, inside \`${cut.text.replace(/\s+/g, ' ')}\` (+${offsetOf(cut)}, ${cut.bytes.length} bytes), so the CPU decodes the rest of that instruction's bytes as new instructions`,
          ]
        : []),
      ...(!wayOut
        ? [
            `no ret or jmp is left after them${removed.length ? ` (they overwrite ${removed.map((i) => `\`${i.text.replace(/\s+/g, ' ')}\``).join(', ')})` : ''}, so execution runs off the end of ${symbol.name} into whatever follows it`,
          ]
        : []),
    ];
    const fit = [...boundaries].filter((b) => b > site.offset && b - site.offset <= f.newSize && code.some((i) => offsetOf(i) >= b && endsFlow(i))).sort((a, b) => b - a)[0];
    sink.add(
      payloadChecks.nopBoundary,
      where,
      `NOP-out of ${symbol.name}: ${problems.join('; and ')}. ${symbol.name} in the target is ${symbol.size} bytes: ${listing(code, start)}. ` +
        'Xen accepts it (it checks only new_size <= old_size and <= 31) and the next call runs broken code: a real Xen 4.17 died with "*** DOUBLE FAULT ***" on a `new_size = SZ - 1` NOP-out of a function ending in `jmp __x86_return_thunk`. ' +
        (fit !== undefined
          ? `NOP whole instructions and keep the way out: new_size ${fit - site.offset} here (take it from the decoded function, not from old_size).`
          : 'Replace the function with a jump to new code instead of NOPing it.'),
    );
    return;
  }
  if (f.oldSize < site.needed) return; // LP307
  const overwritten = { from: site.offset, to: site.offset + patchInsnSize };
  const landings = code.filter((i) => {
    if (i.branchTarget === undefined) return false;
    const at = i.branchTarget - start;
    return at > BigInt(overwritten.from) && at < BigInt(overwritten.to);
  });
  if (!landings.length) return;
  sink.add(
    payloadChecks.jumpOverBranchTarget,
    where,
    `the ${patchInsnSize}-byte jmp Xen writes at +${overwritten.from} of ${symbol.name} overwrites bytes +${overwritten.from}..+${overwritten.to - 1}, and ${landings
      .map((i) => `\`${i.text.replace(/\s+/g, ' ')}\` at +${offsetOf(i)} branches to +${Number(i.branchTarget! - start)}`)
      .join(', ')}: a thread that takes that branch after the patch lands inside the jmp's displacement and runs its bytes as instructions. ` +
      `${symbol.name}: ${listing(code, start)}. Xen does not check this. Patch a caller of ${symbol.name} instead, or a function whose first ${overwritten.to} bytes no branch lands in.`,
  );
}

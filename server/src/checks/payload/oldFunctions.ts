import type { DisassembledInstruction } from '../../elf';
import type { XenFunc } from '../../payload';
import type { FunctionCode, TargetIndex, TargetSymbol } from '../../target';
import { FindingSink } from './context';
import { payloadChecks } from './ids';
import { checkExecutionContexts } from './executionContexts';
import { checkPatchSite } from './patchSites';
import { xenMayDefine } from '../../target/xenSymbolView';

/** One function a payload replaces, however it names it. */
export interface OldFunctionRef {
  where: string;
  name: string;
  /** How the loader finds it: Xen by name (first match) or by relocation, klp by name and old_sympos. */
  lookup: { kind: 'xen-name' } | { kind: 'xen-reloc' } | { kind: 'xen-address'; address: bigint } | { kind: 'klp'; sympos: number; object: string };
  /** Xen: the entry, whose patch site is judged against the old function's instructions. */
  func?: XenFunc;
}

const scheduleFunction = '__schedule';

/** Resolves the old function in the target the way the loader would, then judges what it finds (its code, when `code` reads it). */
export function checkOldFunctions(sink: FindingSink, refs: OldFunctionRef[], target: TargetIndex | undefined, code?: FunctionCode): void {
  if (!target) return;
  for (const ref of refs) {
    const symbol = resolve(sink, ref, target);
    if (symbol) checkSymbolFacts(sink, ref, symbol);
    if (symbol) checkExecutionContexts(sink, ref.where, symbol, target, ref.lookup.kind === 'klp' ? 'linux' : 'xen');
    if (symbol && ref.func && code) checkPatchSite(sink, ref.where, ref.func, symbol, instructionsOf(code, symbol));
    // Inlined copies exist whether or not an out-of-line copy does.
    checkInlining(sink, ref.where, symbol?.name ?? ref.name, target);
  }
}

/** The function's instructions, or none when the target file can no longer be read as it was indexed (changed or removed since). */
function instructionsOf(code: FunctionCode, symbol: TargetSymbol): DisassembledInstruction[] {
  try {
    return code.instructions(symbol.name, symbol.address);
  } catch {
    return [];
  }
}

function resolve(sink: FindingSink, ref: OldFunctionRef, target: TargetIndex): TargetSymbol | undefined {
  const { where, name, lookup } = ref;
  if (lookup.kind === 'xen-address') {
    const symbol = target.symbolAt(lookup.address);
    if (symbol?.address === lookup.address) return symbol;
    sink.add(
      payloadChecks.oldFunctionMissing,
      where,
      `old_addr 0x${lookup.address.toString(16)} is not the start of a function in ${target.path}${symbol ? ` (it is inside ${symbol.name})` : ''}: the hypervisor would write its jump or NOPs into the middle of unrelated code. Take the address from \`nm\` of this target, or leave old_addr 0 and let Xen resolve .name.`,
      'EINVAL',
    );
    return undefined;
  }
  const all = lookup.kind === 'klp' || xenMayDefine(name) ? target.symbolsNamed(name).filter((s) => s.kind === 'function') : [];
  if (!all.length) {
    if (lookup.kind === 'xen-reloc') return undefined; // LP315 reports the undefined symbol itself
    const inlinedOnly = target.inlinedInto(name).map((i) => i.function);
    const clones = target.definitions(name).flatMap((d) => (d.symbol ? [d.symbol.name] : []));
    sink.add(
      payloadChecks.oldFunctionMissing,
      where,
      `${name} is not a function in ${target.path}${inlinedOnly.length ? `; it exists only inlined into ${inlinedOnly.join(', ')}, which must be patched instead` : ''}. ` +
        (lookup.kind === 'klp'
          ? `The kernel says "symbol '${name}' not found in symbol table" and klp_enable_patch() fails (-EINVAL).`
          : `Xen says "livepatch: Could not resolve old address of ${name}" (-ENOENT).`) +
        (clones.length
          ? ` gcc emitted it only as ${clones.join(', ')}: name that symbol, with a replacement that takes the clone's parameters (kpatch-build and klp-build name clones themselves).`
          : " Check the name against the target's symbols."),
      'ENOENT',
    );
    return undefined;
  }
  if (lookup.kind === 'klp') {
    if (lookup.sympos === 0 && all.length > 1) {
      sink.add(
        payloadChecks.oldFunctionAmbiguous,
        where,
        `${all.length} functions are named ${name} in ${target.path} (${all.map((s) => `sympos ${s.sympos} in ${s.section} at 0x${s.address.toString(16)}`).join('; ')}) and old_sympos is 0, so the kernel cannot choose. ` +
          `The kernel says "unresolvable ambiguity for symbol '${name}' in object '${lookup.object}'". Set .old_sympos to the position of the one you mean.`,
        'EINVAL',
      );
      return undefined;
    }
    if (lookup.sympos > all.length) {
      sink.add(
        payloadChecks.oldFunctionAmbiguous,
        where,
        `old_sympos is ${lookup.sympos}, but ${target.path} has only ${all.length} function(s) named ${name}. The kernel says "symbol position ${lookup.sympos} for symbol '${name}' in object '${lookup.object}' not found". Use 0 for a unique name, or 1..${all.length}.`,
        'EINVAL',
      );
      return undefined;
    }
    return all[Math.max(lookup.sympos, 1) - 1];
  }
  if (lookup.kind === 'xen-name' && all.length > 1) {
    sink.add(
      payloadChecks.oldFunctionAmbiguous,
      where,
      `old_addr is 0 and ${all.length} functions are named ${name} in ${target.path}; Xen's symbols_lookup_by_name() takes the first (0x${all[0].address.toString(16)} in ${all[0].section}), which may not be the one you changed. ` +
        'Set old_addr (relocated against the right symbol, or the address from `nm`) instead of relying on the name.',
      'EINVAL',
    );
  }
  return all[0];
}

function checkSymbolFacts(sink: FindingSink, ref: OldFunctionRef, symbol: TargetSymbol): void {
  const { where, name } = ref;
  if (ref.lookup.kind === 'klp' && !symbol.traceable) {
    sink.add(
      payloadChecks.notrace,
      where,
      `${name} does not start with a call to __fentry__ (notrace, noinstr, or an out-of-line copy of an inline function), and klp redirects functions only through ftrace at that call. ` +
        `The kernel says "failed to register ftrace handler for function '${name}' (-22)" (kpatch-build: "function ${name} doesn't have patchable function entry, unable to patch"). Patch a traceable caller instead.`,
      'EINVAL',
    );
  }
  if (symbol.section === '.init.text') {
    sink.add(
      payloadChecks.initText,
      where,
      `${name} is __init (in .init.text): it ran once at boot and its memory has since been freed, so patching it changes nothing and may write into reused memory. ` +
        '(kpatch: "changed section .init.text not selected for inclusion".) Apply the fix to the state it left behind, from a load hook or a pre-patch callback.',
      'EINVAL',
    );
  }
}

function checkInlining(sink: FindingSink, where: string, name: string, target: TargetIndex): void {
  const inlined = target.inlinedInto(name);
  if (inlined.some((i) => i.function === scheduleFunction)) {
    sink.add(
      payloadChecks.inlinedIntoSchedule,
      where,
      `${name} is inlined into ${scheduleFunction}, which is notrace and on the stack of every sleeping task: the inlined copy keeps running the old code, and ${scheduleFunction} itself can be neither redirected by ftrace nor safely replaced while tasks sleep in it. ` +
        'Fix the problem elsewhere (a traceable caller or callee), or make the change take effect through data a callback sets.',
    );
  }
  const others = inlined.filter((i) => i.function !== scheduleFunction);
  if (others.length) {
    sink.add(
      payloadChecks.inlined,
      where,
      `${name} is also inlined into ${others.length} function(s): ${others.map((i) => `${i.function} (${i.sites.map((s) => `${s.file}:${s.line}`).join(', ')})`).join('; ')}. ` +
        'Patching the out-of-line copy leaves those inlined copies running the old code. Patch each of those callers too.',
    );
  }
}

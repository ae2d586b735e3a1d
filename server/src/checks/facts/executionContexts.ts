import type { TargetIndex, TargetSymbol } from '../../target';

/** Where a function runs that an ordinary caller does not: an NMI, a machine check, the patching code itself. */
export type ExecutionContext = 'nmi' | 'mce' | 'apply';

/** How the text is written: by Xen (the rendezvous, NMIs masked by callback) or by Linux (text_poke_bp under ftrace). */
export type Patcher = 'xen' | 'linux';

/** A patched function some entry of a context reaches by direct calls, with the chain. */
export interface ExecutionHazard {
  context: ExecutionContext;
  /** The calls from the entry to the function, entry first; the function alone when it is the entry. */
  path: string[];
  /** The function pointer the entry calls a named callback through, when the chain starts with one (`nmi_callback`). */
  pointer?: string;
  /** The chain passes through a callback Xen's NMI mask replaces: it does not run while Xen patches. */
  masked: boolean;
}

/** A callback the entry reaches through a pointer, which the graph of direct calls cannot see: named here. */
interface Callbacks {
  caller: string;
  pointer: string;
  names: readonly string[];
}

interface ContextEntries {
  context: ExecutionContext;
  entries: readonly string[];
  callbacks?: Callbacks;
}

// prettier-ignore
const entries: Record<Patcher, readonly ContextEntries[]> = {
  // xen/arch/x86/traps.c, cpu/mcheck/mce.c, arch/x86/livepatch.c, common/livepatch.c (4.17); the
  // sample target's handlers have the same names.
  xen: [
    { context: 'nmi', entries: ['do_nmi'], callbacks: { caller: 'do_nmi', pointer: 'nmi_callback', names: ['default_nmi_callback', 'dummy_nmi_callback'] } },
    { context: 'mce', entries: ['do_machine_check'], callbacks: { caller: 'do_machine_check', pointer: 'machine_check_vector', names: ['mcheck_cmn_handler'] } },
    // What runs between arch_livepatch_quiesce() and arch_livepatch_revive(): apply_payload's own
    // printk and hooks run outside that window.
    { context: 'apply', entries: ['livepatch_spin', 'arch_livepatch_quiesce', 'arch_livepatch_mask', 'arch_livepatch_apply', 'arch_livepatch_revert', 'arch_livepatch_unmask', 'arch_livepatch_revive'] },
  ],
  // arch/x86/kernel/nmi.c, cpu/mce/core.c, alternative.c, ftrace.c, kernel/livepatch/patch.c (6.1).
  linux: [
    { context: 'nmi', entries: ['exc_nmi', 'default_do_nmi'] },
    { context: 'mce', entries: ['exc_machine_check', 'do_machine_check'] },
    { context: 'apply', entries: ['text_poke_bp', 'text_poke_bp_batch', 'poke_int3_handler', 'text_poke_queue', 'text_poke_finish', 'text_poke', 'ftrace_modify_all_code', 'arch_ftrace_update_code', 'ftrace_replace_code', 'klp_ftrace_handler'] },
  ],
};

/**
 * Where the machine is going down or only reporting: a panic, a crash dump, a register dump. A
 * half-written function met there changes how the crash reads, not whether it happens, and every
 * handler reaches them: chains stop there (one is flagged itself when a chain of others reaches it).
 * On Linux the scheduler too: a static call to preempt_schedule leads from every handler into
 * __schedule and all it reaches, but an NMI or #MC handler never schedules (in_nmi()).
 */
// prettier-ignore
const fatalPaths: Record<Patcher, readonly string[]> = {
  xen: ['panic', 'fatal_trap', 'mc_panic', '__domain_crash', 'machine_restart', 'machine_halt', 'kexec_crash', 'show_execution_state', 'do_unexpected_trap'],
  linux: [
    'panic', 'nmi_panic', 'die', '__die', 'oops_begin', '__warn', 'show_regs', 'dump_stack', 'machine_restart', 'emergency_restart', 'mce_panic',
    'preempt_schedule', 'preempt_schedule_notrace', 'preempt_schedule_common', '__schedule',
  ],
};

/** Xen's callbacks that arch_livepatch_mask swaps out: while it patches, NMIs stop in mask_nmi_callback. */
const maskedCallbacks = new Set(['default_nmi_callback', 'dummy_nmi_callback']);

/** Every symbol the source function `name` became (its clones too: `livepatch_spin.constprop.0`). */
function symbolsOf(index: TargetIndex, names: readonly string[]): string[] {
  return [...new Set(names.flatMap((name) => index.definitions(name).flatMap((d) => (d.symbol?.kind === 'function' ? [d.symbol.name] : []))))];
}

/** Each context whose entries reach `symbol` by direct calls (or through a callback the target names), with the shortest chain. */
export function executionHazards(index: TargetIndex, symbol: TargetSymbol, patcher: Patcher): ExecutionHazard[] {
  const hazards: ExecutionHazard[] = [];
  const stops = symbolsOf(index, fatalPaths[patcher]);
  for (const { context, entries: names, callbacks } of entries[patcher]) {
    const direct = index.callPath(symbolsOf(index, names), symbol, stops);
    const viaPointer = !direct && callbacks ? index.callPath(symbolsOf(index, callbacks.names), symbol, stops) : undefined;
    const chain = direct ?? viaPointer;
    if (!chain) continue;
    const path = [...(viaPointer && callbacks ? [callbacks.caller] : []), ...chain.map((s: TargetSymbol) => s.name)];
    hazards.push({
      context,
      path,
      ...(viaPointer && callbacks ? { pointer: callbacks.pointer } : {}),
      masked: patcher === 'xen' && context === 'nmi' && path.slice(0, -1).some((name) => maskedCallbacks.has(name)),
    });
  }
  return hazards;
}

const contextNames: Record<ExecutionContext, string> = { nmi: 'the NMI handler', mce: 'the machine-check (#MC) handler', apply: 'the patching code itself' };

/** `do_nmi → default_nmi_callback → f`, a pointer call shown as `do_machine_check → (*machine_check_vector) mcheck_cmn_handler`. */
export function hazardPath(hazard: ExecutionHazard): string {
  return hazard.path.map((name, i) => (i === 1 && hazard.pointer ? `(*${hazard.pointer}) ${name}` : name)).join(' → ');
}

/** Why running there is a hazard for a live patch, as the patcher writes the text. */
function hazardReason(hazard: ExecutionHazard, patcher: Patcher): string {
  if (hazard.context === 'apply') {
    return patcher === 'xen'
      ? "Xen's own patching code runs it while the text is being written (the patching CPU, or the CPUs spinning in the rendezvous), so it would fetch the very bytes it is writing."
      : "The kernel's own patching code runs it while it rewrites the text (text_poke_bp and ftrace), so it would run a function whose first bytes it is changing, and ftrace cannot attach to its own code.";
  }
  if (patcher === 'linux') {
    return `text_poke_bp's int3 keeps every fetch whole while an ${hazard.context === 'nmi' ? 'NMI' : '#MC'} arrives, but the replacement then runs in that context too, where it must not sleep, take a lock a task may hold, or printk.`;
  }
  if (hazard.context === 'mce') {
    return "#MC is not masked at all while Xen writes the jump (arch_livepatch_mask leaves it, Xen's own TODO, and nothing can block it): a machine check during the write runs the function half-written, and there is no recovering from that.";
  }
  return hazard.masked
    ? 'Xen masks NMIs while it patches by replacing the NMI callback (arch_livepatch_mask), so this path does not run then, but every NMI in that window is lost (its watchdog tick among them), and a write without the mask (the naive protocol) lets an NMI run it half-written.'
    : 'Xen masks NMIs only by replacing the callback do_nmi calls (arch_livepatch_mask), so do_nmi itself, and what it calls outside that callback, still runs on an NMI that arrives while the jump is half written: do_nmi is not safely patchable.';
}

/** The one sentence LP142 (sources) and LP360 (payloads) say for each hazard, and the hover shows. */
export function hazardMessage(name: string, hazard: ExecutionHazard, patcher: Patcher): string {
  const context = contextNames[hazard.context];
  const where = hazard.path.length === 1 ? `${name} is the entry of ${context}` : `${context.charAt(0).toUpperCase()}${context.slice(1)} reaches ${name}: ${hazardPath(hazard)}`;
  return `${where}. ${hazardReason(hazard, patcher)}`;
}

export const hazardAdvice =
  'Patch a caller no NMI, #MC or patching code reaches, or change the behaviour through data a hook sets; calls through function pointers the target does not name are not followed.';

import { CheckInfo, registerChecks } from '../catalogue';

/** The LP1xx family: patch-module and payload sources (klp, kpatch, Xen livepatch_func). */
// prettier-ignore
export const sourceChecks = {
  missingSentinel: { id: 'LP101', title: 'klp array without its empty sentinel', severity: 'error' },
  unknownFunction: { id: 'LP102', title: 'patched function not found in the target', severity: 'error' },
  ambiguousName: { id: 'LP103', title: 'ambiguous old_name without old_sympos', severity: 'error' },
  sympos: { id: 'LP104', title: 'old_sympos beyond the functions of that name', severity: 'error' },
  notrace: { id: 'LP105', title: 'klp target is notrace', severity: 'error' },
  initText: { id: 'LP106', title: 'target function is __init', severity: 'error' },
  noinstr: { id: 'LP107', title: 'target function is noinstr', severity: 'warning' },
  inlinedIntoSchedule: { id: 'LP108', title: 'target is __schedule or inlined into it', severity: 'error' },
  inlinedElsewhere: { id: 'LP109', title: 'target is also inlined into callers', severity: 'warning' },
  inlineOnly: { id: 'LP110', title: 'target has no out-of-line copy', severity: 'error' },
  nopOut: { id: 'LP111', title: 'Xen NOP-out entry (new_addr == 0)', severity: 'information' },
  nopOutLimits: { id: 'LP112', title: 'Xen NOP-out size out of bounds', severity: 'error' },
  oldSizeTooSmall: { id: 'LP113', title: 'old_size too small for a jump', severity: 'error' },
  wrongVersion: { id: 'LP114', title: 'livepatch_func version is not 2', severity: 'error' },
  duplicateFunction: { id: 'LP115', title: 'function patched twice', severity: 'warning' },
  structMismatch: { id: 'LP116', title: 'struct copy differs from the target layout', severity: 'error' },
  nopOutArithmetic: { id: 'LP117', title: 'Xen NOP-out size computed from the function size (SZ - 1)', severity: 'warning' },
  cloneOnly: { id: 'LP118', title: 'old_name has no symbol, only gcc clones of it', severity: 'error' },
  unpairedHook: { id: 'LP120', title: 'hook or callback without its counterpart', severity: 'warning' },
  vetoingHooks: { id: 'LP121', title: 'vetoing hooks forbid REPLACE', severity: 'information' },
  shadowLeak: { id: 'LP130', title: 'shadow variable allocated but never freed', severity: 'warning' },
  shadowIdReuse: { id: 'LP131', title: 'shadow variable id used for different types', severity: 'warning' },
  executionContext: { id: 'LP142', title: 'patched function runs in NMI, #MC or patching context', severity: 'warning' },
} satisfies Record<string, CheckInfo>;

registerChecks(Object.values(sourceChecks));

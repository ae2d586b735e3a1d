import { CheckInfo, registerChecks } from '../catalogue';

/** The `LP2xx` family: findings on unified-diff patches (`.patch`, `.diff`). */
// prettier-ignore
export const patchChecks = {
  malformed: { id: 'LP200', title: 'Malformed unified diff', severity: 'error' },
  notApplied: { id: 'LP201', title: 'Hunk does not apply to the source root (patch: FAILED)', severity: 'error' },
  hunksOnly: { id: 'LP202', title: 'Analysed from the hunks alone (no source root)', severity: 'information' },
  unparsable: { id: 'LP203', title: 'Patched C file does not parse', severity: 'warning' },
  reversed: { id: 'LP204', title: 'Reversed (or previously applied) patch', severity: 'error' },
  moved: { id: 'LP205', title: 'Hunk applied with an offset or fuzz', severity: 'information' },
  strip: { id: 'LP206', title: 'Patch paths need a strip level other than -p1', severity: 'warning' },
  notCompiled: { id: 'LP250', title: 'Change in a branch the preprocessor leaves out', severity: 'information' },
  assumedBranch: { id: 'LP251', title: 'Change in a conditional branch chosen without knowing its condition', severity: 'information' },
  kernelConfig: { id: 'LP252', title: 'Kernel configuration cannot be read', severity: 'warning' },
  schedule: { id: 'LP210', title: 'Change inlined into __schedule or to the context switch itself', severity: 'error' },
  inlined: { id: 'LP211', title: 'Changed function is inlined into other callers', severity: 'warning' },
  noOutOfLine: { id: 'LP212', title: 'Changed function has no out-of-line copy', severity: 'warning' },
  notrace: { id: 'LP213', title: 'Changed function cannot be traced (notrace, no __fentry__)', severity: 'error' },
  init: { id: 'LP214', title: 'Changed __init / __exit function', severity: 'error' },
  noinstr: { id: 'LP215', title: 'Changed function in .noinstr.text', severity: 'error' },
  layout: { id: 'LP220', title: 'Struct or union layout change', severity: 'error' },
  resized: { id: 'LP221', title: 'Global object resized or retyped', severity: 'error' },
  initializer: { id: 'LP222', title: 'Global initializer changed', severity: 'error' },
  staticLocal: { id: 'LP230', title: 'Reference to a static local variable removed', severity: 'error' },
  once: { id: 'LP231', title: 'printk_once / pr_*_once / WARN_ONCE added', severity: 'warning' },
  prototype: { id: 'LP232', title: 'Function prototype changed', severity: 'warning' },
  lib: { id: 'LP233', title: 'Patch to lib/, a vDSO or real-mode code', severity: 'error' },
  assembly: { id: 'LP234', title: 'Patch to an assembly file', severity: 'error' },
  noChange: { id: 'LP240', title: "Patch changes no function's code", severity: 'error' },
  lineOnly: { id: 'LP241', title: 'Functions that change only in line numbers (__LINE__)', severity: 'information' },
  exportedCrc: { id: 'LP242', title: 'Change outside function bodies alters exported symbols\' CRCs', severity: 'error' },
} as const satisfies Record<string, CheckInfo>;

export type PatchCheck = (typeof patchChecks)[keyof typeof patchChecks];

registerChecks(Object.values(patchChecks));

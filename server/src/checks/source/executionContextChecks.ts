import type { FunctionFacts } from '../facts/functionFacts';
import { hazardAdvice, hazardMessage } from '../facts/executionContexts';
import type { Finding } from '../finding';
import type { PatchedFunction } from './patchedFunctions';
import { sourceChecks } from './sourceCatalogue';
import { finding, SourceContext } from './sourceContext';

/** LP142: the patched function runs in an NMI, a machine check or the patching code, by the target's call graph. */
export function executionContextFindings(context: SourceContext, patched: PatchedFunction, fn: FunctionFacts): Finding[] {
  const patcher = patched.flavour === 'klp' ? 'linux' : 'xen';
  return (fn.executionHazards?.[patcher] ?? []).map((hazard) =>
    finding(sourceChecks.executionContext, context, patched.range, `${hazardMessage(patched.name, hazard, patcher)} ${hazardAdvice}`),
  );
}

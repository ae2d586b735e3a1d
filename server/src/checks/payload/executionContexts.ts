import type { TargetIndex, TargetSymbol } from '../../target';
import { executionHazards, hazardAdvice, hazardMessage, Patcher } from '../facts/executionContexts';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/** LP360: the old function runs in an NMI, a machine check or the patching code, by the target's call graph. */
export function checkExecutionContexts(sink: FindingSink, where: string, symbol: TargetSymbol, target: TargetIndex, patcher: Patcher): void {
  for (const hazard of executionHazards(target, symbol, patcher)) sink.add(payloadChecks.executionContext, where, `${hazardMessage(symbol.name, hazard, patcher)} ${hazardAdvice}`);
}

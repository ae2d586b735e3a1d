import type { Tree } from 'web-tree-sitter';
import { findLivepatchConstructs, mentionsLivepatchConstructs } from '../../c/livepatchConstructs';
import type { FactsProvider } from '../facts/functionFacts';
import type { Finding } from '../finding';
import { hookChecks } from './hookChecks';
import { patchedFunctions } from './patchedFunctions';
import { sentinelChecks } from './sentinelChecks';
import { shadowChecks } from './shadowChecks';
import { SourceContext } from './sourceContext';
import { structChecks } from './structChecks';
import { targetFunctionChecks } from './targetFunctionChecks';
import { xenFuncChecks } from './xenFuncChecks';
import './sourceCatalogue';

export interface SourceAnalysisOptions {
  file: string;
  facts?: FactsProvider;
  /** How messages name the target (its file name). */
  targetName?: string;
}

/**
 * Whether a C text can have LP1xx findings at all: every check starts from a livepatch construct
 * or a shadow-variable call. Lets the server skip parsing the files most kernel trees are made of.
 */
export function sourceNeedsAnalysis(text: string): boolean {
  return mentionsLivepatchConstructs(text) || text.includes('klp_shadow_');
}

/**
 * Every LP1xx finding for one parsed C source, in document order; `constructs` when the caller
 * has them already. The size bounds (LP235) are the caller's, before it parses: by the time
 * there is a tree, the cost they bound has been paid.
 */
export function analyzeSource(tree: Tree, options: SourceAnalysisOptions, constructs = findLivepatchConstructs(tree)): Finding[] {
  const context: SourceContext = { ...options, tree, constructs, patched: patchedFunctions(constructs) };
  return [sentinelChecks, targetFunctionChecks, xenFuncChecks, structChecks, hookChecks, shadowChecks]
    .flatMap((check) => check(context))
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
}

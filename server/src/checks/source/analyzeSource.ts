import type { Tree } from 'web-tree-sitter';
import { findLivepatchConstructs, LivepatchConstruct, mentionsLivepatchConstructs } from '../../c/livepatchConstructs';
import { documentBounds } from '../documentBounds';
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
 * Every LP1xx finding for one parsed C source, in document order; only LP235 for a source past the
 * size bounds. `constructs` when the caller has them already.
 */
export function analyzeSource(tree: Tree, options: SourceAnalysisOptions, constructs?: LivepatchConstruct[]): Finding[] {
  const outOfBounds = documentBounds(options.file, tree.rootNode.text);
  if (outOfBounds) return [outOfBounds];
  constructs ??= findLivepatchConstructs(tree);
  const context: SourceContext = { ...options, tree, constructs, patched: patchedFunctions(constructs) };
  return [sentinelChecks, targetFunctionChecks, xenFuncChecks, structChecks, hookChecks, shadowChecks]
    .flatMap((check) => check(context))
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
}

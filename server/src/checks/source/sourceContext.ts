import type { Tree } from 'web-tree-sitter';
import type { LivepatchConstruct } from '../../c/livepatchConstructs';
import type { SourceRange } from '../../c/sourceRange';
import type { CheckInfo } from '../catalogue';
import type { FactsProvider } from '../facts/functionFacts';
import type { Finding } from '../finding';
import type { PatchedFunction } from './patchedFunctions';

export interface SourceContext {
  file: string;
  tree: Tree;
  constructs: LivepatchConstruct[];
  /** The functions the constructs patch, worked out once for every check. */
  patched: PatchedFunction[];
  /** Facts about the target image, when one is indexed; named in messages so users know which. */
  facts?: FactsProvider;
  targetName?: string;
}

export function finding(check: CheckInfo, context: SourceContext, range: SourceRange, message: string, extra: Partial<Finding> = {}): Finding {
  return { code: check.id, severity: check.severity, message, file: context.file, range, ...extra };
}

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

/** A C integer constant (`31`, `0x1f`, `5UL`), or undefined for anything the preprocessor would have to expand. */
export function integerValue(text: string | undefined): bigint | undefined {
  const literal = text?.trim().replace(/[uUlL]+$/, '');
  if (!literal) return undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(literal) || /^[1-9][0-9]*$/.test(literal) || literal === '0') return BigInt(literal);
  if (/^0[0-7]+$/.test(literal)) return BigInt(`0o${literal.slice(1)}`);
  return undefined;
}

export function unquote(text: string | undefined): string | undefined {
  return text !== undefined && /^".*"$/s.test(text) ? text.slice(1, -1) : undefined;
}

export function isNull(text: string | undefined): boolean {
  return text === undefined || /^(0|NULL|\(void \*\) *0)$/.test(text.trim());
}

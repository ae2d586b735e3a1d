import type { FunctionDefinition } from './definitions';

/**
 * Why gcc -O2 may inline a function into its callers in the same translation unit, read from
 * the source alone. A guess by construction (the compiler decides), so every message built on
 * it says "may"; the target's DWARF says what really happened.
 */
export type InlineReason = 'always_inline' | 'inline' | 'static, called once' | 'small';

/** Statements in a body at or under which gcc's early inliner usually inlines (`-finline-small-functions`). */
const smallFunctionStatements = 4;

export function inlineReason(fn: FunctionDefinition, callSites: number, addressTaken: boolean): InlineReason | undefined {
  const { attributes } = fn;
  if (attributes.noinline) return undefined;
  if (attributes.alwaysInline) return 'always_inline';
  if (attributes.inline) return 'inline';
  if (attributes.isStatic && callSites === 1 && !addressTaken) return 'static, called once';
  if (fn.statements <= smallFunctionStatements) return 'small';
  return undefined;
}

export function describeInlineReason(reason: InlineReason): string {
  switch (reason) {
    case 'always_inline':
      return 'it is always_inline';
    case 'inline':
      return 'it is declared inline';
    case 'static, called once':
      return 'it is static and called once (gcc -O2 inlines functions called once)';
    case 'small':
      return 'it is small enough for gcc -O2 to inline it into callers in the same file';
  }
}

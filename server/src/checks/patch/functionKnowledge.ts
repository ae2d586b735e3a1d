import { functionAttributes, FunctionAttributes } from '../../c/sourceFacts/kernelAttributes';
import { describeInlineReason } from '../../c/sourceFacts/inlining';
import type { EntityChange } from '../../diff/changes';
import type { FunctionFacts } from '../facts/functionFacts';
import type { PatchContext } from './context';

/**
 * What the checks know about a changed function, and how sure they are: the target's DWARF and
 * symbols (exact), the source call graph of the touched files (a guess: "may"), or, with no
 * source root, only the attributes the hunk itself shows (callers unknown).
 */
export interface FunctionKnowledge {
  facts: FunctionFacts;
  origin: 'target' | 'source' | 'hunk';
  /** Why it may be inlined, for source-level inferences. */
  inlineWhy?: string;
  /** The attributes as written, when the source or the hunk shows them. */
  attributes?: FunctionAttributes;
}

/** What is known of `entity`, a function changed in the file at `path` (which picks among static functions of its name). */
export function knowFunction(entity: EntityChange, path: string, context: PatchContext): FunctionKnowledge | undefined {
  const attributes = entity.before?.kind === 'function' ? entity.before.attributes : entity.header ? functionAttributes(entity.header) : undefined;
  const fromTarget = context.targetFacts?.function(entity.name, { file: path });
  if (fromTarget) return { facts: fromTarget, origin: 'target', ...(attributes ? { attributes } : {}) };
  const fromSource = context.sourceFacts?.function(entity.name);
  if (fromSource) {
    const reason = context.sourceFacts?.inlineReason(entity.name);
    return { facts: fromSource, origin: 'source', ...(reason ? { inlineWhy: describeInlineReason(reason) } : {}), ...(attributes ? { attributes } : {}) };
  }
  if (!attributes) return undefined;
  const inlinedAway = attributes.isStatic && attributes.inline && !attributes.noinline;
  return {
    origin: 'hunk',
    attributes,
    ...(inlinedAway ? { inlineWhy: describeInlineReason(attributes.alwaysInline ? 'always_inline' : 'inline') } : {}),
    facts: {
      name: entity.name,
      basis: 'source',
      count: 1,
      section: attributes.section,
      notrace: attributes.notrace || attributes.inline,
      outOfLine: !inlinedAway,
      inlinedInto: [],
    },
  };
}

/** "is" from the target, "may be" from the sources: the one word that tells the user how sure we are. */
export function certainty(knowledge: FunctionKnowledge, exact: string, guess: string): string {
  return knowledge.origin === 'target' ? exact : guess;
}

export function basisNote(knowledge: FunctionKnowledge): string {
  switch (knowledge.origin) {
    case 'target':
      return '';
    case 'source':
      return ' (source-level inference from the touched files; configure a target with debug info for what gcc really did)';
    case 'hunk':
      return ' (read from the hunk alone; set livepatch.sourceRoot to the original tree, or a target, to list the callers)';
  }
}

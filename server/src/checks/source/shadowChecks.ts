import type { Node } from 'web-tree-sitter';
import { rangeOf } from '../../c/sourceRange';
import type { Finding } from '../finding';
import { sourceChecks } from './sourceCatalogue';
import { finding, SourceContext } from './sourceContext';

interface ShadowCall {
  fn: string;
  node: Node;
  id?: string;
  size?: string;
}

/** Argument positions of the id and the size in each shadow-variable call. */
// prettier-ignore
const shape: Record<string, { id: number; size?: number }> = {
  klp_shadow_alloc: { id: 1, size: 2 },
  klp_shadow_get_or_alloc: { id: 1, size: 2 },
  klp_shadow_get: { id: 1 },
  klp_shadow_free: { id: 1 },
  klp_shadow_free_all: { id: 0 },
};

/** LP130-LP131: shadow variables that are never freed, and ids shared by different types. */
export function shadowChecks(context: SourceContext): Finding[] {
  if (!context.tree.rootNode.text.includes('klp_shadow_')) return [];
  const calls: ShadowCall[] = [];
  for (const call of context.tree.rootNode.descendantsOfType('call_expression')) {
    const fn = call?.childForFieldName('function')?.text;
    if (!call || !fn || !shape[fn]) continue;
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => a !== null && a.type !== 'comment');
    const { id, size } = shape[fn];
    calls.push({ fn, node: call, id: args[id]?.text, ...(size !== undefined && args[size] ? { size: args[size].text } : {}) });
  }
  const findings: Finding[] = [];
  const freed = new Set(calls.filter((c) => c.fn === 'klp_shadow_free' || c.fn === 'klp_shadow_free_all').map((c) => c.id));
  const sizes = new Map<string, ShadowCall>();
  for (const alloc of calls.filter((c) => c.size !== undefined)) {
    if (alloc.id !== undefined && !freed.has(alloc.id)) {
      findings.push(
        finding(
          sourceChecks.shadowLeak,
          context,
          rangeOf(alloc.node),
          `${alloc.fn}() attaches shadow data with id ${alloc.id}, but nothing in this file frees it: the data outlives its parent object (a leak for every object freed while the patch is loaded) and survives the patch's removal. Free it where the parent is freed (klp_shadow_free) and in a post_unpatch callback (klp_shadow_free_all(${alloc.id}, dtor)).`,
        ),
      );
    }
    const first = alloc.id !== undefined ? sizes.get(alloc.id) : undefined;
    if (first && first.size !== alloc.size) {
      findings.push(
        finding(
          sourceChecks.shadowIdReuse,
          context,
          rangeOf(alloc.node),
          `Shadow id ${alloc.id} is allocated here with size ${alloc.size} and at line ${first.node.startPosition.row + 1} with size ${first.size}: shadow variables are looked up by <object, id> alone, so one site reads data another wrote with another layout. Give each type its own id.`,
        ),
      );
    } else if (alloc.id !== undefined && !first) {
      sizes.set(alloc.id, alloc);
    }
  }
  return findings;
}

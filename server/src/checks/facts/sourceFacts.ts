import type { FactsProvider, FunctionFacts, InlineSite, StructFacts } from './functionFacts';
import type { FunctionDefinition, SourceDefinitions, TypeDefinition } from '../../c/sourceFacts/definitions';
import { InlineReason, inlineReason } from '../../c/sourceFacts/inlining';
import { structLayout } from './structLayout';

/**
 * Target facts inferred from C sources when there is no built target: a call graph of the
 * given files with their annotations (`inline`, `__always_inline`, `notrace`, `__init`,
 * sections), and from it which functions may be inlined where, transitively. gcc inlines only
 * within a translation unit, so a function may be inlined into callers in its own file, and a
 * function defined in a header into callers in any file given.
 */
export interface SourceFactsProvider extends FactsProvider {
  readonly basis: 'source';
  /** Why the function may be inlined into its callers; undefined when it is not expected to be. */
  inlineReason(name: string): InlineReason | undefined;
}

interface Node {
  fn: FunctionDefinition;
  file: string;
  callers: Array<{ caller: Node; line: number }>;
  reason?: InlineReason;
  outOfLine: boolean;
}

export function sourceFacts(files: readonly SourceDefinitions[]): SourceFactsProvider {
  const graph = buildGraph(files);
  const structs = new Map<string, TypeDefinition>();
  const constants = new Map<string, string>();
  for (const file of files) {
    for (const definition of file.definitions) {
      if ((definition.kind === 'struct' || definition.kind === 'union') && !structs.has(definition.name)) structs.set(definition.name, definition);
      if (definition.kind === 'macro') constants.set(definition.name, definition.definition);
    }
  }
  return {
    basis: 'source',
    function(name: string): FunctionFacts | undefined {
      const nodes = graph.get(name);
      const node = nodes?.[0];
      if (!nodes || !node) return undefined;
      const { attributes } = node.fn;
      return {
        name,
        basis: 'source',
        count: nodes.length,
        section: attributes.section,
        // The kernel's `inline` carries `notrace`: an out-of-line copy of an inline function has no fentry.
        notrace: attributes.notrace || attributes.inline,
        outOfLine: node.outOfLine,
        inlinedInto: holders(node),
      };
    },
    struct(name: string): StructFacts | undefined {
      const definition = structs.get(name);
      const layout = definition && structLayout(definition, structs, constants);
      return layout && { name, basis: 'source', ...layout };
    },
    inlineReason(name: string): InlineReason | undefined {
      return graph.get(name)?.[0]?.reason;
    },
  };
}

function buildGraph(files: readonly SourceDefinitions[]): Map<string, Node[]> {
  const byName = new Map<string, Node[]>();
  const functions: Node[] = [];
  for (const file of files) {
    for (const definition of file.definitions) {
      if (definition.kind !== 'function') continue;
      const node: Node = { fn: definition, file: file.path, callers: [], outOfLine: true };
      functions.push(node);
      byName.set(definition.name, [...(byName.get(definition.name) ?? []), node]);
    }
  }
  // Per file, since a static function's name means another function elsewhere; a header's function is any file's.
  const addressTaken = new Set<string>();
  const addressTakenAnywhere = new Set<string>();
  const takeAddress = (file: string, name: string): void => {
    addressTaken.add(`${file}\0${name}`);
    addressTakenAnywhere.add(name);
  };
  for (const file of files) {
    for (const definition of file.definitions) {
      if (definition.kind === 'function') for (const name of definition.valueReferences) takeAddress(file.path, name);
      if (definition.kind === 'variable') for (const entry of definition.initializer ?? []) takeAddress(file.path, entry.value.replace(/^&/, ''));
    }
  }
  // A call binds to the callee in the caller's own file (static functions are per file), else to one in a header.
  const resolve = (callee: string, file: string): Node | undefined => {
    const candidates = byName.get(callee) ?? [];
    return candidates.find((c) => c.file === file) ?? candidates.find((c) => c.file.endsWith('.h'));
  };
  for (const caller of functions) {
    for (const call of caller.fn.calls) {
      const callee = resolve(call.callee, caller.file);
      if (callee && callee !== caller) callee.callers.push({ caller, line: call.line });
    }
  }
  for (const node of functions) {
    const taken = node.file.endsWith('.h') ? addressTakenAnywhere.has(node.fn.name) : addressTaken.has(`${node.file}\0${node.fn.name}`);
    node.reason = node.callers.length ? inlineReason(node.fn, node.callers.length, taken) : undefined;
    // Only a static function can vanish into its callers; anything else keeps a symbol of its own.
    node.outOfLine = !node.fn.attributes.isStatic || taken || !node.reason;
  }
  return byName;
}

/** The out-of-line functions that hold a copy of `node`, through any chain of inlined callers. */
function holders(node: Node): InlineSite[] {
  const sites: InlineSite[] = [];
  const seen = new Set<Node>([node]);
  const visit = (inlined: Node): void => {
    if (!inlined.reason) return;
    for (const { caller, line } of inlined.callers) {
      if (caller.outOfLine) sites.push({ function: caller.fn.name, file: caller.file, line: line + 1 });
      if (!seen.has(caller)) {
        seen.add(caller);
        visit(caller);
      }
    }
  };
  visit(node);
  return sites;
}

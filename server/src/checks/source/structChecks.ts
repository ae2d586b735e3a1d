import { definitionsOfTree, TypeDefinition } from '../../c/sourceFacts/definitions';
import { structLayout } from '../facts/structLayout';
import type { MemberFacts, StructFacts } from '../facts/functionFacts';
import type { Finding } from '../finding';
import { sourceChecks } from './sourceCatalogue';
import { finding, SourceContext } from './sourceContext';

/**
 * LP116: a patch module that carries its own copy of a kernel struct (to reach members the
 * public headers hide) must agree with the target's layout to the byte, or the replacement
 * code reads and writes the wrong offsets of live objects.
 */
export function structChecks(context: SourceContext): Finding[] {
  if (!context.facts || context.facts.basis !== 'target') return [];
  // The whole text crosses from the WASM heap each time it is asked for: once here, not again per finding.
  const text = context.tree.rootNode.text;
  if (!/\b(struct|union)\s+\w+\s*\{/.test(text)) return [];
  const definitions = definitionsOfTree(context.tree, context.file).definitions;
  const types = definitions.filter((d): d is TypeDefinition => d.kind === 'struct' || d.kind === 'union');
  const byName = new Map(types.map((t) => [t.name, t]));
  const macros = new Map(definitions.flatMap((d) => (d.kind === 'macro' ? [[d.name, d.definition] as [string, string]] : [])));
  const findings: Finding[] = [];
  let lines: string[] | undefined;
  for (const type of types) {
    const target = context.facts.struct(type.name);
    if (!target) continue;
    const differences = compare(type, structLayout(type, byName, macros), target);
    if (!differences.length) continue;
    const line = type.lines.first;
    findings.push(
      finding(
        sourceChecks.structMismatch,
        context,
        { start: { line, column: 0 }, end: { line, column: (lines ??= text.split('\n'))[line]?.length ?? 0 } },
        `This ${type.kind} ${type.name} does not match the target ${context.targetName ?? ''}'s layout (from its DWARF): ${differences.join('; ')}. The replacement code would read and write the wrong offsets of objects the running kernel laid out with the old definition. Copy the definition from the exact source the target was built from (same config), or reach the member through the kernel's own accessors.`.replace(
          'target  ',
          'target ',
        ),
      ),
    );
  }
  return findings;
}

function compare(type: TypeDefinition, laid: { size: number; members: MemberFacts[] } | undefined, target: StructFacts): string[] {
  const differences: string[] = [];
  const here = type.members.map((m) => m.name).filter(Boolean);
  const there = target.members.map((m) => m.name).filter(Boolean);
  for (const name of here.filter((n) => !there.includes(n))) differences.push(`member \`${name}\` is not in the target`);
  for (const name of there.filter((n) => !here.includes(n)))
    differences.push(`the target has member \`${name}\` (offset ${target.members.find((m) => m.name === name)!.offset}) that this copy lacks`);
  const common = here.filter((n) => there.includes(n));
  const order = there.filter((n) => common.includes(n));
  if (!differences.length && common.join() !== order.join()) differences.push(`members are in another order (target: ${order.join(', ')})`);
  if (laid) {
    for (const member of laid.members) {
      const theirs = target.members.find((m) => m.name === member.name);
      if (theirs && (theirs.offset !== member.offset || theirs.size !== member.size)) {
        differences.push(`\`${member.name}\` is at offset ${member.offset} (${member.size} bytes) here, ${theirs.offset} (${theirs.size} bytes) in the target`);
      }
    }
    if (laid.size !== target.size) differences.push(`size ${laid.size} here, ${target.size} in the target`);
  }
  return differences;
}

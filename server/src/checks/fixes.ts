import type { SourcePosition, SourceRange } from '../c/sourceRange';
import type { FactsProvider } from './facts/functionFacts';
import type { Finding } from './finding';

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** A new file the fix writes (beside the finding's file), in place of or besides edits. */
  createFile?: { path: string; text: string };
  /** The fix the editor may apply on its own (one per finding at most). */
  preferred?: boolean;
}

/** What a finding's `data` says a fix needs; written by the check that made the finding. */
export type FixData =
  | { kind: 'insertSentinel'; end: SourcePosition }
  | { kind: 'addSympos'; count: number; /** the end of the old_name value */ after: SourcePosition; addresses: string[] }
  | { kind: 'addHook'; macro: string; function: string; after: SourcePosition; signature: 'action' | 'void' }
  | { kind: 'shadowSkeleton'; type: string; kindOfType: string; added: Array<{ name: string; type: string }>; differences: string[] }
  /** An unknown function name: the fixes are the target's functions a misspelling away from it. */
  | { kind: 'didYouMean'; name: string };

const at = (position: SourcePosition): SourceRange => ({ start: position, end: position });

/** The edits that mend a finding, computed against the document's current text (and the target's facts, when a fix needs them). */
export function fixesFor(finding: Finding, text: string, facts?: Pick<FactsProvider, 'similarFunctions'>): Fix[] {
  const data = finding.data as FixData | undefined;
  const lines = text.split('\n');
  // prettier-ignore
  switch (data?.kind) {
    case 'insertSentinel':
      return [insertSentinel(lines, data.end)].filter((fix): fix is Fix => fix !== undefined);
    case 'addSympos': {
      // After the old_name value: behind its comma when it has one, else with a comma of our own.
      const hasComma = lines[data.after.line]?.[data.after.column] === ',';
      const where = at(hasComma ? { line: data.after.line, column: data.after.column + 1 } : data.after);
      return data.addresses.map((address, i) => ({
        title: `Add .old_sympos = ${i + 1} (${address})`,
        edits: [{ range: where, newText: hasComma ? ` .old_sympos = ${i + 1},` : `, .old_sympos = ${i + 1}` }],
      }));
    }
    case 'addHook': {
      const name = `${data.function}_${data.macro.includes('REVERT') ? 'revert' : 'apply'}`;
      const stub = data.signature === 'action'
        ? `\nstatic int ${name}(livepatch_payload_t *payload)\n{\n\t/* Undo what ${data.function} did, and leave every function of the payload in the state Xen expects. */\n\treturn 0;\n}\n${data.macro}(${name});\n`
        : `\nstatic void ${name}(void)\n{\n\t/* Undo what ${data.function} set up. */\n}\n${data.macro}(${name});\n`;
      return [{ title: `Add ${data.macro}(${name})`, edits: [{ range: at({ line: data.after.line + 1, column: 0 }), newText: stub.slice(1) }], preferred: true }];
    }
    case 'shadowSkeleton':
      return data.added.length ? [shadowSkeleton(finding.file, data)] : [];
    case 'didYouMean':
      return didYouMean(lines, finding.range, data.name, facts?.similarFunctions?.(data.name) ?? []);
    default:
      return [];
  }
}

/**
 * The name is replaced where it is written: a string literal (`.old_name = "..."`) or a symbol
 * (`.old_addr = name`). A Xen `.name` naming a `static const char[]` is written elsewhere: no fix.
 */
function didYouMean(lines: string[], range: SourceRange, name: string, suggestions: string[]): Fix[] {
  if (range.start.line !== range.end.line) return [];
  const written = lines[range.start.line]?.slice(range.start.column, range.end.column).replace(/\r$/, '');
  const quoted = written === `"${name}"`;
  if (!quoted && written !== name) return [];
  return suggestions.map((suggestion) => ({
    title: `Did you mean '${suggestion}'?`,
    edits: [{ range, newText: quoted ? `"${suggestion}"` : suggestion }],
    ...(suggestions.length === 1 ? { preferred: true } : {}),
  }));
}

/**
 * New members become shadow variables: data attached to each existing object by <object, id>,
 * allocated on first use and freed with the object and when the patch goes away.
 */
function shadowSkeleton(file: string, data: Extract<FixData, { kind: 'shadowSkeleton' }>): Fix {
  const base = data.type.replace(/\W/g, '_');
  const members = data.added.map((member, i) => {
    const id = `SV_${base}_${member.name}`.toUpperCase();
    const pointer = member.type.includes('[') ? `${member.type.replace(/\s*\[.*$/, '')} *` : `${member.type} *`;
    // prettier-ignore
    return {
      id,
      text: [
        `#define ${id} ${i + 1}`,
        '',
        `/* Was the new member \`${member.name}\` (${member.type}) of ${data.kindOfType} ${data.type}: the running kernel's objects keep their layout. */`,
        `static ${pointer}${base}_${member.name}(${data.kindOfType} ${data.type} *obj)`,
        '{',
        `\treturn klp_shadow_get_or_alloc(obj, ${id}, sizeof(${member.type.replace(/\s*\[/, '[')}), GFP_ATOMIC, NULL, NULL);`,
        '}',
      ].join('\n'),
    };
  });
  const text = [
    `/* Shadow variables for the layout change of ${data.kindOfType} ${data.type} (LP220): ${data.differences.join('; ')}. */`,
    '#include <linux/livepatch.h>',
    '',
    ...members.map((m) => `${m.text}\n`),
    `/* Free the shadows with their object (patch the function that frees a ${data.type}): */`,
    `static void ${base}_free_shadows(${data.kindOfType} ${data.type} *obj)`,
    '{',
    ...members.map((m) => `\tklp_shadow_free(obj, ${m.id}, NULL);`),
    '}',
    '',
    '/* ... and all of them when the patch is disabled: call this from a post_unpatch callback. */',
    `static void ${base}_free_all_shadows(void)`,
    '{',
    ...members.map((m) => `\tklp_shadow_free_all(${m.id}, NULL);`),
    '}',
    '',
  ].join('\n');
  const directory = file.replace(/[^/]*$/, '');
  return { title: `Create a shadow-variable skeleton for ${data.added.map((m) => m.name).join(', ')}`, edits: [], createFile: { path: `${directory}${base}_shadow.c`, text } };
}

/** `{ }` before the array's closing brace, with the comma the previous element may lack. */
function insertSentinel(lines: string[], declarationEnd: SourcePosition): Fix | undefined {
  for (let line = declarationEnd.line; line >= 0; line--) {
    const closing = (line === declarationEnd.line ? lines[line].slice(0, declarationEnd.column) : lines[line]).lastIndexOf('}');
    if (closing < 0) continue;
    const before = lines[line].slice(0, closing);
    const edits: TextEdit[] = [];
    let previous = line;
    let column = before.trimEnd().length;
    while (column === 0 && previous > 0) column = lines[--previous].trimEnd().length;
    if (lines[previous][column - 1] !== ',' && lines[previous][column - 1] !== '{') edits.push({ range: at({ line: previous, column }), newText: ',' });
    const indent = /^\s*/.exec(lines[Math.max(0, line - 1)])?.[0] || '\t';
    edits.push(
      before.trim() === ''
        ? { range: at({ line, column: 0 }), newText: `${indent}{ }\n` }
        : { range: at({ line, column: closing }), newText: `${before.endsWith(' ') ? '' : ' '}{ } ` },
    );
    return { title: 'Insert the { } sentinel', edits, preferred: true };
  }
  return undefined;
}

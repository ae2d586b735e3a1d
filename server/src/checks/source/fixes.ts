import type { SourcePosition, SourceRange } from '../../c/sourceRange';
import type { Finding } from '../finding';

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix the editor may apply on its own (one per finding at most). */
  preferred?: boolean;
}

/** What a finding's `data` says a fix needs; written by the check that made the finding. */
export type FixData =
  | { kind: 'insertSentinel'; end: SourcePosition }
  | { kind: 'addSympos'; count: number; /** the end of the old_name value */ after: SourcePosition; addresses: string[] }
  | { kind: 'addHook'; macro: string; function: string; after: SourcePosition; signature: 'action' | 'void' };

const at = (position: SourcePosition): SourceRange => ({ start: position, end: position });

/** The edits that mend a finding, computed against the document's current text. */
export function fixesFor(finding: Finding, text: string): Fix[] {
  const data = finding.data as FixData | undefined;
  const lines = text.split('\n');
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
    default:
      return [];
  }
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
    edits.push(before.trim() === '' ? { range: at({ line, column: 0 }), newText: `${indent}{ }\n` } : { range: at({ line, column: closing }), newText: `${before.endsWith(' ') ? '' : ' '}{ } ` });
    return { title: 'Insert the { } sentinel', edits, preferred: true };
  }
  return undefined;
}

/**
 * A fuzz input as a recipe: a seed sample (a path under the repository) and the mutations made
 * to it. Recipes are small and need no binary in git, so a failure found by a campaign is kept as
 * a recipe (regressions.ts) and replayed by a test; `what` names the structure a mutation hit.
 */
export type FuzzKind = 'elf' | 'xen' | 'klp' | 'diff' | 'c';
export const fuzzKinds: readonly FuzzKind[] = ['elf', 'xen', 'klp', 'diff', 'c'];

/** Mutations of binary seeds (ELF files): byte offsets into the file. */
export type ByteOp =
  | { op: 'write'; at: number; hex: string; what: string }
  | { op: 'truncate'; length: number; what: string };

/** Mutations of text seeds (patches, C), by line; `repeat` keeps big inputs small as recipes. */
export type TextOp =
  | { op: 'set'; line: number; text: string; what: string }
  | { op: 'insert'; line: number; text: string; repeat: number; what: string }
  | { op: 'delete'; line: number; count: number; what: string }
  | { op: 'pad'; line: number; text: string; repeat: number; what: string }
  | { op: 'copy'; from: number; count: number; at: number; repeat: number; what: string }
  | { op: 'eol'; style: 'crlf' | 'cr'; what: string }
  | { op: 'cut'; at: number; what: string };

export type Op = ByteOp | TextOp;

export interface Recipe {
  kind: FuzzKind;
  /** The seed, relative to the repository root (samples/build/... or samples/...). */
  sample: string;
  ops: Op[];
}

export const isBinaryKind = (kind: FuzzKind): boolean => kind === 'elf' || kind === 'xen' || kind === 'klp';

/** The seed's bytes with the recipe's mutations applied, in order. */
export function applyRecipe(recipe: Recipe, seed: Buffer): Buffer {
  if (isBinaryKind(recipe.kind)) return applyByteOps(seed, recipe.ops as ByteOp[]);
  return Buffer.from(applyTextOps(seed.toString('utf8'), recipe.ops as TextOp[]), 'utf8');
}

function applyByteOps(seed: Buffer, ops: ByteOp[]): Buffer {
  let bytes = Buffer.from(seed);
  for (const op of ops) {
    if (op.op === 'truncate') bytes = bytes.subarray(0, Math.min(op.length, bytes.length));
    else {
      const patch = Buffer.from(op.hex, 'hex');
      if (op.at + patch.length > bytes.length) bytes = Buffer.concat([bytes, Buffer.alloc(op.at + patch.length - bytes.length)]);
      patch.copy(bytes, op.at);
    }
  }
  return bytes;
}

function applyTextOps(seed: string, ops: TextOp[]): string {
  let lines = seed.split('\n');
  const at = (line: number): number => (lines.length ? ((line % lines.length) + lines.length) % lines.length : 0);
  for (const op of ops) {
    switch (op.op) {
      case 'set':
        lines[at(op.line)] = op.text;
        break;
      case 'insert':
        lines = spliced(lines, at(op.line), repeated(op.text.split('\n'), op.repeat));
        break;
      case 'delete':
        lines.splice(at(op.line), op.count);
        break;
      case 'pad':
        lines[at(op.line)] += op.text.repeat(op.repeat);
        break;
      case 'copy': {
        const from = at(op.from);
        lines = spliced(lines, at(op.at), repeated(lines.slice(from, from + op.count), op.repeat));
        break;
      }
      case 'eol':
        lines = lines.map((l) => l + (op.style === 'crlf' ? '\r' : ''));
        if (op.style === 'cr') lines = [lines.join('\r')];
        break;
      case 'cut':
        lines = lines.join('\n').slice(0, op.at).split('\n');
        break;
    }
  }
  return lines.join('\n');
}

/** `splice` with a spread overflows the stack past about 100k lines. */
const spliced = (lines: string[], at: number, inserted: string[]): string[] => lines.slice(0, at).concat(inserted, lines.slice(at));

function repeated(lines: string[], times: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < times; i++) for (const line of lines) out.push(line);
  return out;
}

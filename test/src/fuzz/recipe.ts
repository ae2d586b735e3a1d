/**
 * A fuzz input as a recipe: a seed sample (a path under the repository) and the mutations made
 * to it. Recipes are small and need no binary in git, so a failure found by a campaign is kept as
 * a recipe (regressions.ts) and replayed by a test; `what` names the structure a mutation hit.
 */
export type FuzzKind = 'elf' | 'xen' | 'klp' | 'diff' | 'c';
export const fuzzKinds: readonly FuzzKind[] = ['elf', 'xen', 'klp', 'diff', 'c'];

/** Mutations of binary seeds (ELF files): byte offsets into the file. */
export type ByteOp = { op: 'write'; at: number; hex: string; what: string } | { op: 'truncate'; length: number; what: string };

/** Mutations of text seeds (patches, C), by line; `repeat` keeps big inputs small as recipes. */
export type TextOp =
  | { op: 'set'; line: number; text: string; what: string }
  /** `numbered`: each `%d` in the text becomes the copy's number, so copies are distinct definitions. */
  | { op: 'insert'; line: number; text: string; repeat: number; numbered?: boolean; what: string }
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

/**
 * Text inputs stop growing at 32 MiB: past the engine's document limit (64 MiB by default) every
 * input gets the same one message, and a recipe that doubles a huge text would pass V8's string limit.
 */
export const maxTextChars = 32 * 1024 * 1024;

function applyTextOps(seed: string, ops: TextOp[]): string {
  let lines = seed.split('\n');
  const at = (line: number): number => (lines.length ? ((line % lines.length) + lines.length) % lines.length : 0);
  /** How many copies of `chars` characters still fit. */
  const fits = (times: number, chars: number): number =>
    Math.max(0, Math.min(times, Math.floor((maxTextChars - lines.reduce((n, l) => n + l.length + 1, 0)) / Math.max(1, chars))));
  const charsOf = (block: string[]): number => block.reduce((n, l) => n + l.length + 1, 0);
  for (const op of ops) {
    // prettier-ignore
    switch (op.op) {
      case 'set':
        lines[at(op.line)] = op.text;
        break;
      case 'insert': {
        const block = op.text.split('\n');
        const times = fits(op.repeat, charsOf(block) + (op.numbered ? 8 * block.length : 0));
        lines = spliced(lines, at(op.line), op.numbered ? numbered(block, times) : repeated(block, times));
        break;
      }
      case 'delete':
        lines.splice(at(op.line), op.count);
        break;
      case 'pad':
        lines[at(op.line)] += op.text.repeat(fits(op.repeat, op.text.length));
        break;
      case 'copy': {
        const from = at(op.from);
        const block = lines.slice(from, from + op.count);
        lines = spliced(lines, at(op.at), repeated(block, fits(op.repeat, charsOf(block))));
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

function numbered(lines: string[], times: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < times; i++) for (const line of lines) out.push(line.replaceAll('%d', String(i)));
  return out;
}

function repeated(lines: string[], times: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < times; i++) for (const line of lines) out.push(line);
  return out;
}

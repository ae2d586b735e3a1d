import { Block } from './block';

/** Compiled blocks kept for every machine of the process; past this many, the table starts over. */
const MAX_SHARED = 20_000;

/** A compiled block and the bytes it was decoded from. */
export interface SharedBlock {
  /** The bytes the decoder read, from the block's first byte. */
  bytes: Uint8Array;
  /** The bytes ended at a page whose successor cannot be executed (an instruction running into it faults). */
  truncated: boolean;
  /** The last instruction crosses into the next page. */
  crossed: boolean;
  /** Each instruction's length, for a guard to inspect them without decoding. */
  lengths: number[];
  block: Block;
}

/**
 * Blocks compiled by any machine, by address: generated code depends only on the instructions
 * and where they are, so the same bytes at the same address (a target booted again, a seed run
 * again, a page rewritten back) reuse the code instead of decoding and compiling it again.
 */
export class SharedBlocks {
  private readonly byAddress = new Map<string, SharedBlock[]>();
  private size = 0;

  /** The block compiled from a prefix of `bytes` at (lo, hi), if any. */
  find(lo: number, hi: number, single: boolean, bytes: Uint8Array, truncated: boolean): SharedBlock | undefined {
    const candidates = this.byAddress.get(key(lo, hi, single));
    if (!candidates) return undefined;
    for (const candidate of candidates) if (candidate.truncated === truncated && startsWith(bytes, candidate.bytes)) return candidate;
    return undefined;
  }

  add(lo: number, hi: number, single: boolean, entry: SharedBlock): void {
    if (this.size >= MAX_SHARED) {
      this.byAddress.clear();
      this.size = 0;
    }
    const k = key(lo, hi, single);
    const candidates = this.byAddress.get(k);
    if (candidates) candidates.push(entry);
    else this.byAddress.set(k, [entry]);
    this.size++;
  }
}

export const sharedBlocks = new SharedBlocks();

function key(lo: number, hi: number, single: boolean): string {
  return `${hi}:${lo}:${single ? 1 : 0}`;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

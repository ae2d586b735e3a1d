import { Code, Decoder, DecoderOptions, FlowControl, Instruction } from 'iced-x86';
import { fromPair, hex, hiOf, loOf } from '../addr';
import { Memory } from '../memory';
import { Block, BlockCode } from './block';
import { FlagSource } from './conditions';
import { Emitter, Unsupported } from './emitter';
import { FetchGuard } from './fetchGuard';
import { liveFlagStores, loopsBack } from './flagLiveness';
import { callsHost, emitInstruction } from './semantics';
import { SharedBlock, sharedBlocks } from './sharedBlocks';

const MAX_BLOCK = 48;
/** Bytes MAX_BLOCK instructions of the longest x86 length can take. */
const FETCH_WINDOW = MAX_BLOCK * 15;
/** Generated code that calls memory, a helper or a hook, or throws, may fault. */
const MAY_THROW = /(?:^|[^\w$.])(?:[mAX]\.|throw\b)/;
/** iced's RflagsBits for OF SF ZF AF CF PF. */
const STATUS_FLAGS = 0x3f;
const FRONT_SLOTS = 4096;

/**
 * Decoded and compiled code, per page. Blocks never start past the end of their page, so a write
 * to page P can only affect blocks starting in P or P-1: those two pages' blocks are dropped.
 */
export class BlockCache {
  private readonly blocks = new Map<number, Map<number, Block>>();
  private readonly steps = new Map<number, Map<number, Block>>();
  /** Blocks compiled so far, a cost figure for benchmarks. */
  compiled = 0;
  /** Set while live-patch bytes are being written: decoding consults it (never the block lookup). */
  guard: FetchGuard | undefined;
  // A direct-mapped front cache: most block lookups hit here instead of the two maps.
  private readonly recentLo = new Int32Array(FRONT_SLOTS);
  private readonly recentHi = new Int32Array(FRONT_SLOTS);
  private readonly recent: (Block | undefined)[] = new Array<Block | undefined>(FRONT_SLOTS);

  constructor(
    private readonly memory: Memory,
    private readonly nativeAt: (lo: number, hi: number) => number | undefined,
  ) {
    memory.onCodeWrite = (key) => this.invalidate(key);
  }

  invalidate(key: number): void {
    this.recent.fill(undefined);
    for (const k of [key, key - 1]) {
      this.blocks.delete(k);
      this.steps.delete(k);
    }
  }

  /** The block at (lo, hi); `single` asks for a one-instruction block (tracing, budget end). */
  lookup(lo: number, hi: number, single: boolean): Block {
    const slot = lo & (FRONT_SLOTS - 1);
    if (!single) {
      const hit = this.recent[slot];
      if (hit !== undefined && this.recentLo[slot] === lo && this.recentHi[slot] === hi) return hit;
    }
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const table = single ? this.steps : this.blocks;
    let page = table.get(key);
    if (!page) {
      page = new Map();
      table.set(key, page);
    }
    const offset = lo & 4095;
    let block = page.get(offset);
    if (!block) {
      block = this.build(lo, hi, single);
      page.set(offset, block);
    }
    if (!single) {
      this.recent[slot] = block;
      this.recentLo[slot] = lo;
      this.recentHi[slot] = hi;
    }
    return block;
  }

  private build(lo: number, hi: number, single: boolean): Block {
    const native = this.nativeAt(lo, hi);
    if (native !== undefined) {
      const code: BlockCode = (_c, _m, _L, _H, _A, X) => {
        X.native(native);
        return 1;
      };
      return { code, count: 1, ipLo: [lo], ipHi: [hi], text: [`<native #${native}>`] };
    }
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const offset = lo & 4095;
    const start = fromPair(lo, hi);
    const nextPage = start - BigInt(offset) + 4096n;
    const { bytes, truncated } = this.fetch(lo, hi, offset, nextPage);
    const known = sharedBlocks.find(lo, hi, single, bytes, truncated);
    if (known && !(this.guard && this.touchesGuard(known, start))) {
      this.memory.markCode(key);
      if (known.crossed) this.memory.markCode(key + 1);
      return known.block;
    }
    const decoder = new Decoder(64, bytes, DecoderOptions.None);
    decoder.ip = start;
    const decoded: Instruction[] = [];
    const body: string[] = [];
    let addresses: bigint[] = [];
    let lengths: number[] = [];
    let text: string[] | undefined;
    let crossed = false;
    let special: Block | undefined;
    let cut = false;
    let read = 0;
    try {
      while (decoded.length < (single ? 1 : MAX_BLOCK) && decoder.position < 4096 - offset) {
        const ins = decoder.decode();
        decoded.push(ins);
        if (decoder.position > 4096 - offset) crossed = true;
        // Blocks go on past a conditional branch (a side exit), so a loop body is usually one block.
        if (ins.code === Code.INVALID || (ins.flowControl !== FlowControl.Next && (single || !ins.isJccShortOrNear))) break;
      }
      const last = decoded[decoded.length - 1];
      // An undefined instruction may have been judged on any of the 15 bytes from its start.
      read = last.code === Code.INVALID ? Math.min(bytes.length, Number(last.ip - start) + 15) : decoder.position;
      const whole = decoded.length;
      special = this.guard && this.guarded(decoded, bytes, start);
      cut = decoded.length < whole;
      if (!special) {
        const fetchFault = truncated && decoder.position >= bytes.length;
        this.emitBlock(decoded, body, fetchFault ? nextPage : undefined, !single && closesLoop(decoded, start));
        addresses = decoded.map((i) => i.ip);
        lengths = decoded.map((i) => i.length);
        if (single) text = decoded.map((i) => i.toString());
      }
    } finally {
      for (const ins of decoded) ins.free();
      decoder.free();
    }
    this.memory.markCode(key);
    if (crossed) this.memory.markCode(key + 1);
    if (special) return special;
    this.compiled++;
    const source = `"use strict";${body.join('\n')}`;
    let code: BlockCode;
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling the generated block is the point of this cache
      code = new Function('c', 'm', 'L', 'H', 'A', 'X', 'lim', source) as BlockCode;
    } catch (error) {
      throw new Error(`internal error: generated code for the block at ${hex(start)} does not compile (${(error as Error).message}):\n${source}`);
    }
    const block: Block = {
      code,
      count: decoded.length,
      ipLo: addresses.map(loOf),
      ipHi: addresses.map(hiOf),
      text,
    };
    // A block cut short before a write in flight is not what these bytes decode to otherwise.
    if (!cut) sharedBlocks.add(lo, hi, single, { bytes: bytes.slice(0, read), truncated, crossed, lengths, block });
    return block;
  }

  /** Whether the guard has a verdict on an instruction of a compiled block: then it is decoded again, the guard's way. */
  private touchesGuard(known: SharedBlock, start: bigint): boolean {
    let at = 0;
    for (const length of known.lengths) {
      if (this.guard!.inspect(start + BigInt(at), known.bytes.subarray(at, at + length))) return true;
      at += length;
    }
    return false;
  }

  /**
   * While a patch is written: a block of its own for an instruction that overlaps the write
   * torn or at the writer's trap, and a block cut short before one (so it starts a block).
   */
  private guarded(decoded: Instruction[], bytes: Uint8Array, start: bigint): Block | undefined {
    const guard = this.guard!;
    for (let k = 0; k < decoded.length; k++) {
      const ins = decoded[k];
      const at = Number(ins.ip - start);
      const own = bytes.slice(at, at + ins.length);
      const verdict = guard.inspect(ins.ip, own);
      if (!verdict) continue;
      if (k > 0) {
        for (const dropped of decoded.splice(k)) dropped.free();
        return undefined;
      }
      const ip = ins.ip;
      const text = ins.toString();
      const code: BlockCode = (c, _m, _L, _H, _A, X) => {
        guard.enter(verdict, ip, own, text, c, X);
        return 1;
      };
      return { code, count: 1, ipLo: [loOf(ip)], ipHi: [hiOf(ip)], text: [text] };
    }
    return undefined;
  }

  /**
   * The bytes a block at `lo` can decode: at most MAX_BLOCK longest instructions, and at the
   * page's end the first 15 bytes of the next page when it is executable (`truncated` when not).
   */
  private fetch(lo: number, hi: number, offset: number, nextPage: bigint): { bytes: Uint8Array; truncated: boolean } {
    const page = this.memory.codeBytes(lo, hi);
    if (offset + FETCH_WINDOW < 4096) return { bytes: page.subarray(offset, offset + FETCH_WINDOW), truncated: false };
    const bytes = page.subarray(offset);
    try {
      const following = this.memory.codeBytes(loOf(nextPage), hiOf(nextPage));
      const joined = new Uint8Array(bytes.length + 15);
      joined.set(bytes);
      joined.set(following.subarray(0, 15), bytes.length);
      return { bytes: joined, truncated: false };
    } catch {
      // The next page is not executable: an instruction running into it is a fetch fault.
      return { bytes, truncated: true };
    }
  }

  /**
   * A looping block repeats in place while `lim` allows another whole pass, counting the
   * instructions of earlier passes in `n`, and in `c.n` for fault reports.
   */
  private emitBlock(decoded: Instruction[], body: string[], fetchFaultPage: bigint | undefined, loops: boolean): void {
    const count = decoded.length;
    const ran = (k: number) => (loops ? `n+${k}` : `${k}`);
    if (loops) body.push('let n=0;for(;;){');
    const live = liveFlagStores(decoded, loops ? decoded[0].ip : undefined);
    let ended = false;
    let flags: FlagSource | undefined;
    for (let k = 0; k < decoded.length && !ended; k++) {
      const ins = decoded[k];
      const ip = ins.ip;
      if (ins.code === Code.INVALID) {
        body.push(`c.k=${k};`);
        body.push(
          fetchFaultPage !== undefined && k === decoded.length - 1
            ? `throw X.fault('page-fault','#PF: execute of an unmapped address ${hex(fetchFaultPage)} (instruction crosses into it)');`
            : `throw X.fault('invalid-opcode','#UD: undefined instruction at ${hex(ip)}');`,
        );
        ended = true;
        break;
      }
      const emitter = new Emitter(ins, k);
      emitter.flagsLive = live[k];
      emitter.flagsIn = flags;
      emitter.leave = `return ${ran(k + 1)};`;
      if (loops) {
        emitter.loopStart = decoded[0].ip;
        emitter.loopBack = `if(n+${k + 1 + count}<=lim){n+=${k + 1};c.n=n;continue;}`;
      }
      const nextIp = ins.nextIP;
      try {
        ended = emitInstruction(emitter, { l: `${loOf(nextIp)}`, h: `${hiOf(nextIp)}` });
        const code = emitter.lines.join('');
        // Only an instruction that can throw needs the fault report to know where it is.
        if (MAY_THROW.test(code)) body.push(`c.k=${k};`);
        body.push(code);
        if (ins.rflagsModified & STATUS_FLAGS) flags = emitter.flagsOut;
        if (emitter.writesMemory && !ended) {
          // Self-modifying code: a store into decoded code ends the block after it.
          body.push(`if(m.dirty){m.dirty=false;c.ripLo=${loOf(nextIp)};c.ripHi=${hiOf(nextIp)};return ${ran(k + 1)};}`);
        }
      } catch (error) {
        if (!(error instanceof Unsupported)) throw error;
        body.push(`c.k=${k};throw X.fault('invalid-opcode',${JSON.stringify(`#UD: unsupported instruction '${ins.toString()}' (${error.message})`)});`);
        ended = true;
      }
    }
    if (!ended) {
      const next = decoded[decoded.length - 1].nextIP;
      body.push(`c.ripLo=${loOf(next)};c.ripHi=${hiOf(next)};`);
    }
    body.push(`return ${ran(count)};`);
    if (loops) body.push('}');
  }
}

/**
 * Whether a direct branch of the block goes back to its start (a loop that gcc compiled into one
 * run of code) and nothing in it calls the host, which may read the instruction count or stop.
 */
function closesLoop(decoded: Instruction[], start: bigint): boolean {
  return decoded.some((ins) => loopsBack(ins, start)) && !decoded.some(callsHost);
}

import { Instruction, Mnemonic, OpKind, Register } from 'iced-x86';
import { hiOf, loOf } from '../addr';
import { FlagOp } from './flagBits';
import { Emitter, immediate, norm, Unsupported } from './emitter';
import { Val } from './generatedValue';
import { GpReg } from './registers';
import { constantShiftCount, emitConstantShift } from './shiftInline';

// Instruction semantics as generated JavaScript. The generated block function sees:
//   c  CpuState   m  Memory   L/H  register halves   A  arithmetic helpers   X  machine hooks

const RAX: GpReg = { index: 0, width: 64, high: false };
const RDX: GpReg = { index: 2, width: 64, high: false };

/**
 * Emits the body of one instruction. `next` is the address after it, as (lo, hi) constants.
 * Returns true when the emitted code sets RIP.
 */
export function emitInstruction(e: Emitter, next: Val): boolean {
  const ins = e.ins;
  const m = ins.mnemonic;
  // prettier-ignore
  switch (m) {
    case Mnemonic.Nop: case Mnemonic.Endbr64: case Mnemonic.Endbr32: case Mnemonic.Pause:
    case Mnemonic.Lfence: case Mnemonic.Mfence: case Mnemonic.Sfence:
    case Mnemonic.Prefetchw: case Mnemonic.Prefetcht0: case Mnemonic.Prefetcht1: case Mnemonic.Prefetcht2: case Mnemonic.Prefetchnta:
      return false;
    case Mnemonic.Mov: return move(e);
    case Mnemonic.Movzx: e.write(0, e.read(1)); return false;
    // FSGSBASE: the segment bases %fs:/%gs: operands add (the kernel's per-CPU area is %gs).
    case Mnemonic.Rdfsbase: e.write(0, { l: 'c.fsLo', h: e.width(0) === 64 ? 'c.fsHi' : '0' }); return false;
    case Mnemonic.Rdgsbase: e.write(0, { l: 'c.gsLo', h: e.width(0) === 64 ? 'c.gsHi' : '0' }); return false;
    case Mnemonic.Wrfsbase: { const v = e.read(0); e.emit(`c.fsLo=${v.l};c.fsHi=${v.h};`); return false; }
    case Mnemonic.Wrgsbase: { const v = e.read(0); e.emit(`c.gsLo=${v.l};c.gsHi=${v.h};`); return false; }
    case Mnemonic.Movsx: case Mnemonic.Movsxd: return signExtend(e);
    case Mnemonic.Lea: return lea(e);
    case Mnemonic.Xchg: return exchange(e);
    case Mnemonic.Add: case Mnemonic.Adc: case Mnemonic.Sub: case Mnemonic.Sbb: case Mnemonic.Cmp:
      return addSub(e, m);
    case Mnemonic.And: case Mnemonic.Or: case Mnemonic.Xor: case Mnemonic.Test:
      return logic(e, m);
    case Mnemonic.Inc: case Mnemonic.Dec: return incDec(e, m === Mnemonic.Inc);
    case Mnemonic.Neg: return negate(e);
    case Mnemonic.Not: return invert(e);
    case Mnemonic.Push: return push(e);
    case Mnemonic.Pop: return pop(e);
    case Mnemonic.Pushfq: pushValue(e, { l: e.bind('c.rflags()'), h: '0' }); return false;
    case Mnemonic.Popfq: e.emit(`c.setRflags(${popValue(e).l});`); return false;
    case Mnemonic.Leave: return leave(e);
    case Mnemonic.Cdqe: e.emit('H[0]=L[0]>>31;'); return false;
    case Mnemonic.Cwde: e.emit('L[0]=(L[0]<<16)>>16;H[0]=0;'); return false;
    case Mnemonic.Cbw: e.emit('L[0]=(L[0]&-65536)|(((L[0]<<24)>>24)&65535);'); return false;
    case Mnemonic.Cdq: e.emit('L[2]=L[0]>>31;H[2]=0;'); return false;
    case Mnemonic.Cqo: e.emit('L[2]=H[0]>>31;H[2]=L[2];'); return false;
    case Mnemonic.Cwd: e.emit('L[2]=(L[2]&-65536)|(((L[0]<<16)>>31)&65535);'); return false;
    case Mnemonic.Bswap: return unaryHelper(e, 'A.bswap(c,W,V.l,V.h)');
    case Mnemonic.Shl: case Mnemonic.Sal: return shiftLike(e, 'A.shift', 0);
    case Mnemonic.Shr: return shiftLike(e, 'A.shift', 1);
    case Mnemonic.Sar: return shiftLike(e, 'A.shift', 2);
    case Mnemonic.Rol: return shiftLike(e, 'A.rotate', 0);
    case Mnemonic.Ror: return shiftLike(e, 'A.rotate', 1);
    case Mnemonic.Rcl: return shiftLike(e, 'A.rotateCarry', 0);
    case Mnemonic.Rcr: return shiftLike(e, 'A.rotateCarry', 1);
    case Mnemonic.Shld: case Mnemonic.Shrd: return shiftDouble(e, m === Mnemonic.Shld ? 0 : 1);
    case Mnemonic.Imul: return ins.opCount === 1 ? widening(e, true) : imul(e);
    case Mnemonic.Mul: return widening(e, false);
    case Mnemonic.Div: case Mnemonic.Idiv: return divide(e, m === Mnemonic.Idiv);
    case Mnemonic.Bt: case Mnemonic.Bts: case Mnemonic.Btr: case Mnemonic.Btc: return bitTest(e, m);
    case Mnemonic.Bsf: return bitScan(e, 0);
    case Mnemonic.Bsr: return bitScan(e, 1);
    case Mnemonic.Tzcnt: return bitScan(e, 2);
    case Mnemonic.Lzcnt: return bitScan(e, 3);
    case Mnemonic.Popcnt: return bitScan(e, 4);
    case Mnemonic.Xadd: return exchangeAdd(e);
    case Mnemonic.Cmpxchg: return compareExchange(e);
    case Mnemonic.Cld: e.emit('c.df=0;'); return false;
    case Mnemonic.Std: e.emit('c.df=1;'); return false;
    case Mnemonic.Clc: e.emit('c.setBits(c.status()&-2);'); return false;
    case Mnemonic.Stc: e.emit('c.setBits(c.status()|1);'); return false;
    case Mnemonic.Cmc: e.emit('c.setBits(c.status()^1);'); return false;
    case Mnemonic.Jmp: return jump(e);
    case Mnemonic.Call: return call(e, next);
    case Mnemonic.Ret: return ret(e);
    case Mnemonic.Int3: e.emit(`if(X.breakpoint(${next.l},${next.h})){${e.leave}}throw X.fault('breakpoint','int3 breakpoint');`); return true;
    case Mnemonic.Ud2: e.emit(`throw X.fault('bug','BUG: ud2 (kernel BUG())');`); return true;
    case Mnemonic.Ud1: case Mnemonic.Ud0: e.emit(`throw X.fault('bug','${ins.toString()} (kernel WARN/UBSAN trap)');`); return true;
    default:
      break;
  }
  if (ins.isStringInstruction) return stringOp(e);
  if (ins.isJccShortOrNear) return conditionalJump(e);
  if (isCmov(m)) return conditionalMove(e);
  if (isSetcc(m)) {
    e.write(0, { l: `(${e.condition(ins.conditionCode)}?1:0)`, h: '0' }, 8);
    return false;
  }
  if (callsHost(ins)) {
    e.emit(`X.system(${JSON.stringify(Mnemonic[m].toLowerCase())});`);
    return false;
  }
  throw new Unsupported(ins.toString());
}

/** Unprivileged instructions that only make sense with a kernel around them: the host decides. */
const SYSTEM = new Set<Mnemonic>([Mnemonic.Cpuid, Mnemonic.Rdtsc, Mnemonic.Rdtscp, Mnemonic.Rdpid, Mnemonic.Syscall, Mnemonic.Int, Mnemonic.Int1, Mnemonic.Into]);

/** Whether the instruction runs in the host (which may read the instruction count or stop the CPU). */
export function callsHost(ins: Instruction): boolean {
  return ins.isPrivileged || SYSTEM.has(ins.mnemonic);
}

function isCmov(m: Mnemonic): boolean {
  return m >= Mnemonic.Cmova && m <= Mnemonic.Cmovs;
}

function isSetcc(m: Mnemonic): boolean {
  return m >= Mnemonic.Seta && m <= Mnemonic.Sets;
}

function move(e: Emitter): boolean {
  if (!e.reg(0) && !e.isMemory(0)) throw new Unsupported(e.ins.toString());
  const width = e.width(0);
  e.write(0, e.read(1, width), width);
  return false;
}

function signExtend(e: Emitter): boolean {
  const from = e.width(1);
  const to = e.width(0);
  const src = e.read(1, from);
  const lo = from === 32 ? src.l : e.bind(`(${src.l}<<${32 - from})>>${32 - from}`);
  if (to === 64) e.write(0, { l: lo, h: `(${lo}>>31)` }, 64);
  else e.write(0, { l: to === 16 ? `(${lo}&65535)` : lo, h: '0' }, to);
  return false;
}

function lea(e: Emitter): boolean {
  const width = e.width(0);
  const address = e.ea();
  e.write(0, width === 64 ? address : { l: width === 16 ? `(${address.l}&65535)` : address.l, h: '0' }, width);
  return false;
}

function exchange(e: Emitter): boolean {
  const width = e.width(0);
  const a = e.read(0, width);
  const b = e.read(1, width);
  e.write(0, b, width);
  e.write(1, a, width);
  return false;
}

/** dst op src with add/sub semantics; returns the result value. */
function addSubValue(e: Emitter, width: number, a: Val, b: Val, subtract: boolean, carry: string): Val {
  const op = subtract ? '-' : '+';
  if (width === 64) {
    const s = e.bind(`(${a.l}>>>0)${op}(${b.l}>>>0)${op}${carry}`, 's');
    const lo = e.bind(`${s}|0`, 'r');
    const carryOut = subtract ? `(${s}<0?1:0)` : `(${s}>4294967295?1:0)`;
    const hi = e.bind(`(${a.h}${op}${b.h}${op}${carryOut})|0`, 'r');
    if (e.flagsLive) e.emit(`c.setFlags(${subtract ? FlagOp.Sub : FlagOp.Add},64,${a.l},${a.h},${b.l},${b.h},${lo},${hi},${carry});`);
    if (carry === '0') e.flagsOut = { kind: subtract ? 'sub' : 'add', width, a, b, r: { l: lo, h: hi } };
    return { l: lo, h: hi };
  }
  const lo = e.bind(norm(width, `${a.l}${op}${b.l}${op}${carry}`), 'r');
  if (e.flagsLive) e.emit(`c.setFlags(${subtract ? FlagOp.Sub : FlagOp.Add},${width},${a.l},0,${b.l},0,${lo},0,${carry});`);
  if (carry === '0') e.flagsOut = { kind: subtract ? 'sub' : 'add', width, a, b, r: { l: lo, h: '0' } };
  return { l: lo, h: '0' };
}

function addSub(e: Emitter, m: Mnemonic): boolean {
  const width = e.width(0);
  const a = e.read(0, width);
  const b = e.read(1, width);
  const carry = m === Mnemonic.Adc || m === Mnemonic.Sbb ? e.bind('c.cf()', 'ci') : '0';
  const subtract = m === Mnemonic.Sub || m === Mnemonic.Sbb || m === Mnemonic.Cmp;
  const result = addSubValue(e, width, a, b, subtract, carry);
  if (m !== Mnemonic.Cmp) e.write(0, result, width);
  return false;
}

function logic(e: Emitter, m: Mnemonic): boolean {
  const width = e.width(0);
  const a = e.read(0, width);
  const b = e.read(1, width);
  const op = m === Mnemonic.Or ? '|' : m === Mnemonic.Xor ? '^' : '&';
  const lo = e.bind(`${a.l}${op}${b.l}`, 'r');
  const hi = width === 64 ? e.bind(`${a.h}${op}${b.h}`, 'r') : '0';
  if (e.flagsLive) e.emit(`c.setFlags(${FlagOp.Logic},${width},0,0,0,0,${lo},${hi},0);`);
  e.flagsOut = { kind: 'logic', width, a, b, r: { l: lo, h: hi } };
  if (m !== Mnemonic.Test) e.write(0, { l: lo, h: hi }, width);
  return false;
}

function incDec(e: Emitter, increment: boolean): boolean {
  const width = e.width(0);
  const a = e.read(0, width);
  const carry = e.flagsLive ? e.bind('c.cf()', 'ci') : '0';
  const one = { l: '1', h: '0' };
  const result = addSubValue(e, width, a, one, !increment, '0');
  if (e.flagsLive) e.emit(`c.fop=${increment ? FlagOp.Inc : FlagOp.Dec};c.fc=${carry};`);
  if (e.flagsOut) e.flagsOut.kind = 'step';
  e.write(0, result, width);
  return false;
}

function negate(e: Emitter): boolean {
  const width = e.width(0);
  const a = e.read(0, width);
  e.write(0, addSubValue(e, width, { l: '0', h: '0' }, a, true, '0'), width);
  return false;
}

function invert(e: Emitter): boolean {
  const width = e.width(0);
  const a = e.read(0, width);
  e.write(0, { l: norm(Math.min(width, 32), `~${a.l}`), h: width === 64 ? `(~${a.h})` : '0' }, width);
  return false;
}

// ---- stack -----------------------------------------------------------------------------------

function pushValue(e: Emitter, value: Val): void {
  const s = e.bind('(L[4]>>>0)-8', 's');
  const lo = e.bind(`${s}|0`, 'sp');
  const hi = e.bind(`${s}<0?(H[4]-1)|0:H[4]`, 'sp');
  e.emit(`m.w64(${lo},${hi},${value.l},${value.h});L[4]=${lo};H[4]=${hi};`);
}

function popValue(e: Emitter): Val {
  const lo = e.bind('m.r64(L[4],H[4])');
  const hi = e.bind('m.hi');
  e.emit('{const s=(L[4]>>>0)+8;L[4]=s|0;if(s>4294967295)H[4]=(H[4]+1)|0;}');
  return { l: lo, h: hi };
}

function push(e: Emitter): boolean {
  if (e.width(0) !== 64 && !e.isImmediate(0)) throw new Unsupported(e.ins.toString());
  pushValue(e, e.isImmediate(0) ? immediate(e.ins.immediate(0), 64) : e.read(0, 64));
  return false;
}

function pop(e: Emitter): boolean {
  if (e.width(0) !== 64) throw new Unsupported(e.ins.toString());
  const value = popValue(e);
  e.write(0, value, 64);
  return false;
}

function leave(e: Emitter): boolean {
  e.emit('L[4]=L[5];H[4]=H[5];');
  const value = popValue(e);
  e.emit(`L[5]=${value.l};H[5]=${value.h};`);
  return false;
}

// ---- helpers with results --------------------------------------------------------------------

function unaryHelper(e: Emitter, template: string): boolean {
  const width = e.width(0);
  const v = e.read(0, width);
  const lo = e.bind(template.replace('W', `${width}`).replace('V.l', v.l).replace('V.h', v.h), 'r');
  e.write(0, { l: lo, h: 'c.rh' }, width);
  return false;
}

function count(e: Emitter, i: number): string {
  if (e.isImmediate(i)) return `${Number(e.ins.immediate(i) & 0xffn)}`;
  return '(L[1]&255)';
}

function shiftLike(e: Emitter, helper: string, kind: number): boolean {
  const constant = constantShiftCount(e.ins);
  if (constant !== undefined && !e.flagsLive) {
    emitConstantShift(e, constant);
    return false;
  }
  const width = e.width(0);
  const a = e.read(0, width);
  const n = e.ins.opCount > 1 ? count(e, 1) : '1';
  const lo = e.bind(`${helper}(c,${kind},${width},${a.l},${a.h},${n})`, 'r');
  e.write(0, { l: lo, h: 'c.rh' }, width);
  return false;
}

function shiftDouble(e: Emitter, kind: number): boolean {
  const width = e.width(0);
  const a = e.read(0, width);
  const b = e.read(1, width);
  const lo = e.bind(`A.shiftDouble(c,${kind},${width},${a.l},${a.h},${b.l},${b.h},${count(e, 2)})`, 'r');
  e.write(0, { l: lo, h: 'c.rh' }, width);
  return false;
}

function imul(e: Emitter): boolean {
  const width = e.width(0);
  const a = e.read(e.ins.opCount === 3 ? 1 : 0, width);
  const b = e.read(e.ins.opCount === 3 ? 2 : 1, width);
  const lo = e.bind(`A.imulTrunc(c,${width},${a.l},${a.h},${b.l},${b.h},${e.flagsLive})`, 'r');
  e.write(0, { l: lo, h: 'c.rh' }, width);
  return false;
}

/** Big-integer view of a value for the rare double-width paths (mul, div). */
function big(v: Val, width: number): string {
  return width === 64 ? `A.toBig(${v.l},${v.h})` : `BigInt((${v.l})>>>0)`;
}

function splitBig(e: Emitter, expr: string): Val {
  const name = e.bind(expr, 'b');
  return { l: `A.lo32(${name})`, h: `A.hi32(${name})` };
}

function widening(e: Emitter, signed: boolean): boolean {
  const width = e.width(0);
  const src = e.read(0, width);
  const acc = e.readReg(RAX, width);
  const pair = e.bind(`A.widenMul(c,${signed},${width},${big(acc, width)},${big(src, width)})`, 'p');
  if (width === 8) {
    e.writeReg(RAX, { l: `Number(${pair}[0]|(${pair}[1]<<8n))`, h: '0' }, 16);
    return false;
  }
  e.writeReg(RAX, splitBig(e, `${pair}[0]`), width);
  e.writeReg(RDX, splitBig(e, `${pair}[1]`), width);
  return false;
}

function divide(e: Emitter, signed: boolean): boolean {
  const width = e.width(0);
  const divisor = e.read(0, width);
  if (width === 8) {
    const ax = e.readReg(RAX, 16);
    const pair = e.bind(`A.divide(${signed},8,BigInt(${ax.l}>>>8),BigInt(${ax.l}&255),${big(divisor, 8)})`, 'p');
    e.writeReg(RAX, { l: `Number(${pair}[0]|(${pair}[1]<<8n))`, h: '0' }, 16);
    return false;
  }
  const low = e.readReg(RAX, width);
  const high = e.readReg(RDX, width);
  const pair = e.bind(`A.divide(${signed},${width},${big(high, width)},${big(low, width)},${big(divisor, width)})`, 'p');
  e.writeReg(RAX, splitBig(e, `${pair}[0]`), width);
  e.writeReg(RDX, splitBig(e, `${pair}[1]`), width);
  return false;
}

function bitTest(e: Emitter, m: Mnemonic): boolean {
  const width = e.width(0);
  const mask = width - 1;
  let bit: string;
  if (e.isMemory(0) && !e.isImmediate(1)) {
    // A register bit offset reaches beyond the operand: the address moves by whole operands.
    const offset = e.read(1, width);
    const base = e.ea();
    const at = { l: e.bind(`A.bitAddress(c,${base.l},${base.h},${offset.l},${width === 64 ? offset.h : `(${offset.l}>>31)`},${width})`, 'a'), h: e.bind('c.rh', 'a') };
    bit = e.bind(`${offset.l}&${mask}`, 'n');
    return bitTestAt(e, m, width, e.readMemory(at, width), bit, (v) => e.writeMemory(at, v, width));
  }
  bit = e.isImmediate(1) ? `${Number(e.ins.immediate(1)) & mask}` : e.bind(`${e.read(1, width).l}&${mask}`, 'n');
  return bitTestAt(e, m, width, e.read(0, width), bit, (v) => e.write(0, v, width));
}

function bitTestAt(e: Emitter, m: Mnemonic, width: number, value: Val, bit: string, store: (v: Val) => void): boolean {
  const selected = width === 64 ? `(${bit}>=32?(${value.h}>>>(${bit}-32)):(${value.l}>>>${bit}))&1` : `(${value.l}>>>${bit})&1`;
  e.emit(`A.setCarry(c,${selected});`);
  if (m === Mnemonic.Bt) return false;
  const op = m === Mnemonic.Bts ? '|' : m === Mnemonic.Btr ? '&~' : '^';
  const lowMask = width === 64 ? `(${bit}<32?1<<${bit}:0)` : `(1<<${bit})`;
  const highMask = `(${bit}>=32?1<<(${bit}-32):0)`;
  const lo = norm(Math.min(width, 32), `${value.l}${op}${lowMask}`);
  store({ l: lo, h: width === 64 ? `(${value.h}${op}${highMask})` : '0' });
  return false;
}

function bitScan(e: Emitter, kind: number): boolean {
  const width = e.width(0);
  const src = e.read(1, width);
  const dst = e.read(0, width);
  const lo = e.bind(`A.bitScan(c,${kind},${width},${src.l},${src.h},${dst.l},${dst.h})`, 'r');
  e.write(0, { l: lo, h: 'c.rh' }, width);
  return false;
}

function exchangeAdd(e: Emitter): boolean {
  const width = e.width(0);
  const a = e.read(0, width);
  const b = e.read(1, width);
  const sum = addSubValue(e, width, a, b, false, '0');
  e.write(1, a, width);
  e.write(0, sum, width);
  return false;
}

function compareExchange(e: Emitter): boolean {
  const width = e.width(0);
  const dst = e.read(0, width);
  const acc = e.readReg(RAX, width);
  const src = e.read(1, width);
  addSubValue(e, width, acc, dst, true, '0');
  e.emit('if(c.zf()){');
  e.write(0, src, width);
  e.emit('}else{');
  e.writeReg(RAX, dst, width);
  e.emit('}');
  return false;
}

function conditionalMove(e: Emitter): boolean {
  const width = e.width(0);
  const src = e.read(1, width);
  const reg = e.reg(0);
  e.emit(`if(${e.condition(e.ins.conditionCode)}){`);
  e.write(0, src, width);
  // A 32-bit cmov clears the upper half even when the condition is false.
  e.emit(width === 32 && reg ? `}else{H[${reg.index}]=0;}` : '}');
  return false;
}

function stringOp(e: Emitter): boolean {
  const ins = e.ins;
  const kinds: Partial<Record<Mnemonic, number>> = {
    [Mnemonic.Movsb]: 0,
    [Mnemonic.Movsw]: 0,
    [Mnemonic.Movsd]: 0,
    [Mnemonic.Movsq]: 0,
    [Mnemonic.Stosb]: 1,
    [Mnemonic.Stosw]: 1,
    [Mnemonic.Stosd]: 1,
    [Mnemonic.Stosq]: 1,
    [Mnemonic.Lodsb]: 2,
    [Mnemonic.Lodsw]: 2,
    [Mnemonic.Lodsd]: 2,
    [Mnemonic.Lodsq]: 2,
    [Mnemonic.Scasb]: 3,
    [Mnemonic.Scasw]: 3,
    [Mnemonic.Scasd]: 3,
    [Mnemonic.Scasq]: 3,
    [Mnemonic.Cmpsb]: 4,
    [Mnemonic.Cmpsw]: 4,
    [Mnemonic.Cmpsd]: 4,
    [Mnemonic.Cmpsq]: 4,
  };
  const kind = kinds[ins.mnemonic];
  if (kind === undefined || ins.segmentPrefix !== Register.None) throw new Unsupported(ins.toString());
  const width = e.memoryWidth();
  const rep = ins.hasRepePrefix || ins.hasRepPrefix ? 1 : ins.hasRepnePrefix ? 2 : 0;
  e.writesMemory = kind === 0 || kind === 1;
  e.emit(`A.string(c,m,L,H,${kind},${width / 8},${rep});`);
  return false;
}

// ---- control flow ----------------------------------------------------------------------------

function setRip(e: Emitter, target: Val): void {
  e.emit(`c.ripLo=${target.l};c.ripHi=${target.h};`);
}

function constant(address: bigint): Val {
  return { l: `${loOf(address)}`, h: `${hiOf(address)}` };
}

function branchTarget(e: Emitter): Val {
  const kind = e.ins.op0Kind;
  if (kind === OpKind.NearBranch64) return constant(e.ins.nearBranch64);
  if (e.width(0) !== 64) throw new Unsupported(e.ins.toString());
  return e.read(0, 64);
}

function jump(e: Emitter): boolean {
  if (e.ins.isJmpFar || e.ins.isJmpFarIndirect) throw new Unsupported(e.ins.toString());
  if (e.ins.op0Kind === OpKind.NearBranch64 && e.ins.nearBranch64 === e.loopStart) e.emit(e.loopBack);
  setRip(e, branchTarget(e));
  return true;
}

/** A side exit: the block goes on with the fall-through path when the branch is not taken. */
function conditionalJump(e: Emitter): boolean {
  const target = e.ins.nearBranch64;
  e.emit(`if(${e.condition(e.ins.conditionCode)}){`);
  if (target === e.loopStart) e.emit(e.loopBack);
  setRip(e, constant(target));
  e.emit(`${e.leave}}`);
  return false;
}

function call(e: Emitter, next: Val): boolean {
  if (e.ins.isCallFar || e.ins.isCallFarIndirect) throw new Unsupported(e.ins.toString());
  const target = branchTarget(e);
  pushValue(e, next);
  e.emit(`X.call(${target.l},${target.h},${next.l},${next.h});`);
  setRip(e, target);
  return true;
}

function ret(e: Emitter): boolean {
  const target = popValue(e);
  const extra = e.ins.opCount ? Number(e.ins.immediate(0)) : 0;
  if (extra) e.emit(`{const s=(L[4]>>>0)+${extra};L[4]=s|0;if(s>4294967295)H[4]=(H[4]+1)|0;}`);
  setRip(e, target);
  e.emit('X.ret();');
  return true;
}

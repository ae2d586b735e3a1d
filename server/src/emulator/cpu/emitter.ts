import { ConditionCode, Instruction, MemorySize, OpKind, Register } from 'iced-x86';
import { hiOf, loOf } from '../addr';
import { FlagSource, fusedCondition } from './conditions';
import { Val } from './generatedValue';
import { gpRegister, GpReg } from './registers';

/** An instruction the emulator cannot run; compiled into a fault so that only executing it fails. */
export class Unsupported extends Error {}

const MEMORY_WIDTH = new Map<MemorySize, number>([
  [MemorySize.UInt8, 8],
  [MemorySize.Int8, 8],
  [MemorySize.UInt16, 16],
  [MemorySize.Int16, 16],
  [MemorySize.WordOffset, 16],
  [MemorySize.UInt32, 32],
  [MemorySize.Int32, 32],
  [MemorySize.DwordOffset, 32],
  [MemorySize.UInt64, 64],
  [MemorySize.Int64, 64],
  [MemorySize.QwordOffset, 64],
]);

/** Width in bits of an instruction's memory operand, when it is a plain integer. */
export function memoryBits(ins: Instruction): number | undefined {
  return MEMORY_WIDTH.get(ins.memorySize);
}

/** Normalizes a JS int expression to the generator's convention for `width` bits. */
export function norm(width: number, expr: string): string {
  if (width >= 32) return `((${expr})|0)`;
  return `((${expr})&${width === 8 ? 255 : 65535})`;
}

/**
 * Builds the JS source of one instruction. Operand reads become `const` locals, so a value read
 * before a write (xchg, xadd, pop into the stack pointer) is the value the CPU saw.
 */
export class Emitter {
  readonly lines: string[] = [];
  private counter = 0;
  private address: Val | undefined;
  /** Whether the instruction stores to memory (so it may have rewritten code after it). */
  writesMemory = false;
  /** False when a later instruction of the block overwrites every flag this one sets. */
  flagsLive = true;
  /** The operands of the inline flag store this instruction made, for the next one's conditions. */
  flagsOut: FlagSource | undefined;
  /** Those of the flags as this instruction finds them, when an earlier one of the block set them inline. */
  flagsIn: FlagSource | undefined;

  /** The statement that leaves the block after this instruction (it returns how many ran). */
  leave = '';
  /** Set on the last instruction of a block that loops: a branch here repeats the block... */
  loopStart: bigint | undefined;
  /** ...through this statement, which falls through when the run's slice is used up. */
  loopBack = '';

  /** `position` in the block keeps local names unique, so later instructions can read them. */
  constructor(
    readonly ins: Instruction,
    private readonly position = 0,
  ) {}

  emit(line: string): void {
    this.lines.push(line);
  }

  local(prefix: string): string {
    return `${prefix}${this.position}_${this.counter++}`;
  }

  /** A JS boolean for condition `cc`, from the operands in flagsIn when that is possible. */
  condition(cc: ConditionCode): string {
    return (this.flagsIn && fusedCondition(this.flagsIn, cc)) ?? `c.cond(${cc})`;
  }

  /** Binds an expression to a fresh local and returns its name. */
  bind(expr: string, prefix = 'v'): string {
    const name = this.local(prefix);
    this.emit(`const ${name}=${expr};`);
    return name;
  }

  reg(i: number): GpReg | undefined {
    return this.ins.opKind(i) === OpKind.Register ? gpRegister(this.ins.opRegister(i)) : undefined;
  }

  isMemory(i: number): boolean {
    return this.ins.opKind(i) === OpKind.Memory;
  }

  isImmediate(i: number): boolean {
    const kind = this.ins.opKind(i);
    return kind >= OpKind.Immediate8 && kind <= OpKind.Immediate32to64;
  }

  /** Width in bits of operand i. */
  width(i: number): number {
    const kind = this.ins.opKind(i);
    if (kind === OpKind.Register) {
      const reg = gpRegister(this.ins.opRegister(i));
      if (!reg) throw new Unsupported(`register ${Register[this.ins.opRegister(i)]}`);
      return reg.width;
    }
    if (kind === OpKind.Memory) return this.memoryWidth();
    if (kind === OpKind.Immediate8 || kind === OpKind.Immediate8_2nd) return 8;
    if (kind === OpKind.Immediate16 || kind === OpKind.Immediate8to16) return 16;
    if (kind === OpKind.Immediate32 || kind === OpKind.Immediate8to32) return 32;
    return 64;
  }

  /** Width in bits of the memory operand (also the implicit one of string instructions). */
  memoryWidth(): number {
    const width = memoryBits(this.ins);
    if (!width) throw new Unsupported(`memory operand of size ${MemorySize[this.ins.memorySize]}`);
    return width;
  }

  /** The effective address (lo, hi locals), computed once per instruction. */
  ea(): Val {
    if (this.address) return this.address;
    const ins = this.ins;
    const disp = ins.memoryDisplacement;
    const dl = loOf(disp) >>> 0;
    const dh = hiOf(disp);
    let lo: string;
    let hi: string;
    if (ins.memoryBase === Register.RIP || (ins.memoryBase === Register.None && ins.memoryIndex === Register.None)) {
      lo = `${loOf(disp)}`;
      hi = `${dh}`;
    } else {
      const base = ins.memoryBase === Register.None ? undefined : gpRegister(ins.memoryBase);
      const index = ins.memoryIndex === Register.None ? undefined : gpRegister(ins.memoryIndex);
      if ((base && base.width !== 64) || (index && index.width !== 64)) throw new Unsupported('32-bit address size');
      const scale = ins.memoryIndexScale;
      const lowTerms = [`${dl}`];
      const highTerms = [`${dh}`];
      if (base) {
        lowTerms.push(`(L[${base.index}]>>>0)`);
        highTerms.push(`H[${base.index}]`);
      }
      if (index) {
        lowTerms.push(`(L[${index.index}]>>>0)*${scale}`);
        highTerms.push(`H[${index.index}]*${scale}`);
      }
      const t = this.bind(lowTerms.join('+'), 't');
      const carry = index ? `Math.floor(${t}/4294967296)` : `(${t}>4294967295?1:0)`;
      lo = this.bind(`${t}|0`, 'el');
      hi = this.bind(`(${highTerms.join('+')}+${carry})|0`, 'eh');
    }
    const segment = ins.segmentPrefix;
    if (segment === Register.FS || segment === Register.GS) {
      const name = segment === Register.FS ? 'fs' : 'gs';
      const t = this.bind(`(${lo}>>>0)+(c.${name}Lo>>>0)`, 't');
      lo = this.bind(`${t}|0`, 'el');
      hi = this.bind(`(${hi}+c.${name}Hi+(${t}>4294967295?1:0))|0`, 'eh');
    }
    this.address = { l: lo, h: hi };
    return this.address;
  }

  /** Reads operand i at `width` bits into locals. */
  read(i: number, width = this.width(i)): Val {
    const kind = this.ins.opKind(i);
    if (kind === OpKind.Register) return this.readReg(this.reg(i) ?? unsupportedRegister(this.ins, i), width);
    if (kind === OpKind.Memory) return this.readMemory(this.ea(), width);
    if (this.isImmediate(i)) return immediate(this.ins.immediate(i), width);
    throw new Unsupported(`operand kind ${OpKind[kind]}`);
  }

  readReg(reg: GpReg, width: number = reg.width): Val {
    const r = reg.index;
    if (width === 64) return { l: this.bind(`L[${r}]`), h: this.bind(`H[${r}]`) };
    if (width === 32) return { l: this.bind(`L[${r}]`), h: '0' };
    if (width === 16) return { l: this.bind(`L[${r}]&65535`), h: '0' };
    return { l: this.bind(reg.high ? `(L[${r}]>>>8)&255` : `L[${r}]&255`), h: '0' };
  }

  readMemory(address: Val, width: number): Val {
    const { l, h } = address;
    if (width === 64) {
      const lo = this.bind(`m.r64(${l},${h})`);
      return { l: lo, h: this.bind('m.hi') };
    }
    return { l: this.bind(`m.r${width}(${l},${h})`), h: '0' };
  }

  write(i: number, value: Val, width = this.width(i)): void {
    const kind = this.ins.opKind(i);
    if (kind === OpKind.Register) this.writeReg(this.reg(i) ?? unsupportedRegister(this.ins, i), value, width);
    else if (kind === OpKind.Memory) this.writeMemory(this.ea(), value, width);
    else throw new Unsupported(`write to operand kind ${OpKind[kind]}`);
  }

  writeReg(reg: GpReg, value: Val, width: number = reg.width): void {
    const r = reg.index;
    if (width === 64) this.emit(`L[${r}]=${value.l};H[${r}]=${value.h};`);
    else if (width === 32) this.emit(`L[${r}]=${value.l};H[${r}]=0;`);
    else if (width === 16) this.emit(`L[${r}]=(L[${r}]&-65536)|((${value.l})&65535);`);
    else if (reg.high) this.emit(`L[${r}]=(L[${r}]&-65281)|(((${value.l})&255)<<8);`);
    else this.emit(`L[${r}]=(L[${r}]&-256)|((${value.l})&255);`);
  }

  writeMemory(address: Val, value: Val, width: number): void {
    this.writesMemory = true;
    if (width === 64) this.emit(`m.w64(${address.l},${address.h},${value.l},${value.h});`);
    else this.emit(`m.w${width}(${address.l},${address.h},${value.l});`);
  }
}

/** An immediate, already sign-extended by iced to its operand size, as constants. */
export function immediate(value: bigint, width: number): Val {
  const lo = loOf(value);
  const literal = (n: number) => (n < 0 ? `(${n})` : `${n}`);
  if (width === 64) return { l: literal(lo), h: literal(hiOf(value)) };
  if (width === 32) return { l: literal(lo), h: '0' };
  return { l: `${lo & (width === 8 ? 255 : 65535)}`, h: '0' };
}

function unsupportedRegister(ins: Instruction, i: number): never {
  throw new Unsupported(`register ${Register[ins.opRegister(i)]}`);
}

import type * as Iced from 'iced-x86';
import { AddressMap } from './addressMap';
import { ET, R_X86_64, SHF, STT } from './constants';
import type { ElfFile } from './elfFile';
import { ElfError } from './errors';
import { ElfSection, ElfSymbol } from './types';

export interface DisassembledInstruction {
  address: bigint;
  bytes: Buffer;
  mnemonic: string;
  /** One objdump-like line: `call   ffffffff81000150 <__fentry__>` (AT&T). */
  text: string;
  /** Relocations applied inside this instruction, as `objdump -dr` prints them: `5: R_X86_64_PLT32\t__fentry__-0x4`. */
  relocations: string[];
  /** How control leaves it (iced-x86's FlowControl): patch-site checks look for ways out and branch targets. */
  flow: InstructionFlow;
  /** Where a direct (rel8/rel32) jump, jcc or call goes. */
  branchTarget?: bigint;
}

export type InstructionFlow = 'next' | 'jump' | 'indirect-jump' | 'conditional' | 'return' | 'call' | 'indirect-call' | 'interrupt' | 'exception' | 'transaction';

export interface DisassembleOptions {
  /** `<sym+0xoff>` for an address, or undefined to print the bare address. */
  symbolize?: (address: bigint) => string | undefined;
  /** Relocations by offset from the start of `code` (relocatable objects). */
  relocations?: ReadonlyMap<number, string>;
}

let iced: typeof Iced | undefined;
let formatter: Iced.Formatter | undefined;

/** iced-x86 instantiates its WASM when loaded: only when something is disassembled, not whenever the ELF reader is imported. */
function loadIced(): typeof Iced {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a static import would load the WASM with the module
  return (iced ??= require('iced-x86') as typeof Iced);
}

/** One formatter for the process: objdump-like GNU syntax, as measured in dependencies.md §3. */
function gasFormatter(): Iced.Formatter {
  if (!formatter) {
    const { Formatter, FormatterSyntax } = loadIced();
    formatter = new Formatter(FormatterSyntax.Gas);
    formatter.hexPrefix = '0x';
    formatter.uppercaseHex = false;
    formatter.ripRelativeAddresses = true;
    formatter.smallHexNumbersInDecimal = false;
    formatter.branchLeadingZeros = false;
    formatter.spaceAfterOperandSeparator = false;
    formatter.showBranchSize = false;
  }
  return formatter;
}

const hex = (n: bigint): string => n.toString(16);

/** Decodes x86-64 code at `address` into objdump-like lines; undecodable bytes become `(bad)`. */
export function disassemble(code: Buffer, address: bigint, options: DisassembleOptions = {}): DisassembledInstruction[] {
  const { Decoder, DecoderOptions, FlowControl, Instruction, OpKind, Register } = loadIced();
  // prettier-ignore
  const flows: Record<number, InstructionFlow> = {
    [FlowControl.Next]: 'next', [FlowControl.UnconditionalBranch]: 'jump', [FlowControl.IndirectBranch]: 'indirect-jump',
    [FlowControl.ConditionalBranch]: 'conditional', [FlowControl.Return]: 'return', [FlowControl.Call]: 'call',
    [FlowControl.IndirectCall]: 'indirect-call', [FlowControl.Interrupt]: 'interrupt', [FlowControl.XbeginXabortXend]: 'transaction', [FlowControl.Exception]: 'exception',
  };
  const decoder = new Decoder(64, code, DecoderOptions.None);
  const instruction = new Instruction();
  const format = gasFormatter();
  const lines: DisassembledInstruction[] = [];
  try {
    decoder.ip = address;
    while (decoder.canDecode) {
      const offset = decoder.position;
      decoder.decodeOut(instruction);
      const bytes = code.subarray(offset, offset + instruction.length);
      const at = instruction.ip;
      let text: string;
      let mnemonic: string;
      const branches = instruction.opCount > 0 && [OpKind.NearBranch16, OpKind.NearBranch32, OpKind.NearBranch64].includes(instruction.op0Kind);
      const branchTarget = branches && !instruction.isInvalid ? instruction.nearBranchTarget : undefined;
      if (instruction.isInvalid) {
        mnemonic = '(bad)';
        text = mnemonic;
      } else {
        // objdump prints `0x0(%rax)` exactly when the encoding carries a zero displacement.
        format.showZeroDisplacements = instruction.memoryDisplSize > 0;
        // ... and `(%rax,%rax,1)` with an index register; iced would print `(%rip,)` if always on.
        format.alwaysShowScale = instruction.memoryIndex !== Register.None;
        const formatted = format.format(instruction);
        const space = formatted.indexOf(' ');
        mnemonic = space < 0 ? formatted : formatted.slice(0, space);
        let operands = space < 0 ? '' : formatted.slice(space + 1);
        let comment = '';
        if (instruction.opCount > 0 && instruction.op0Kind === OpKind.NearBranch64) {
          const target = instruction.nearBranch64;
          const name = options.symbolize?.(target);
          operands = `${hex(target)}${name ? ` <${name}>` : ''}`;
        } else if (instruction.memoryBase === Register.RIP) {
          const target = instruction.ipRelMemoryAddress;
          const name = options.symbolize?.(target);
          comment = `        # ${hex(target)}${name ? ` <${name}>` : ''}`;
        }
        text = operands ? `${mnemonic.padEnd(6)} ${operands}${comment}` : mnemonic;
      }
      const relocations: string[] = [];
      for (let i = 0; options.relocations && i < bytes.length; i++) {
        const reloc = options.relocations.get(offset + i);
        if (reloc) relocations.push(reloc);
      }
      const flow = instruction.isInvalid ? 'exception' : (flows[instruction.flowControl] ?? 'next');
      lines.push({ address: at, bytes: Buffer.from(bytes), mnemonic, text, relocations, flow, ...(branchTarget !== undefined ? { branchTarget } : {}) });
    }
  } finally {
    decoder.free();
    instruction.free();
  }
  return lines;
}

const plusOffset = (name: string, offset: bigint): string => (offset === 0n ? name : `${name}+0x${hex(offset)}`);
const addend = (value: bigint): string => (value === 0n ? '' : value < 0n ? `-0x${hex(-value)}` : `+0x${hex(value)}`);

/**
 * Disassembles one function symbol, symbolized, with `objdump -dr`-style relocation lines for
 * relocatable objects (where code addresses are section offsets and targets come from RELA).
 */
export function disassembleSymbol(elf: ElfFile, symbol: ElfSymbol): DisassembledInstruction[] {
  const section = elf.sections[symbol.shndx];
  if (!section || !(section.flags & SHF.EXECINSTR)) {
    throw new ElfError(elf.path, `symbol ${symbol.name}`, symbol.value, 'is not in an executable section');
  }
  const relocatable = elf.header.type === ET.REL;
  const start = relocatable ? symbol.value : symbol.value - section.addr;
  // Only the function's bytes when the section is stored plainly: a vmlinux .text is 15 MB and a
  // hover wants a few instructions.
  const inflated = section.flags & SHF.COMPRESSED ? elf.sectionData(section) : undefined;
  if (start < 0n || start + symbol.size > (inflated ? BigInt(inflated.length) : section.size)) {
    throw new ElfError(elf.path, `symbol ${symbol.name}`, symbol.value, `[+0x${hex(start)}, +0x${hex(symbol.size)}) lies outside ${section.name}`);
  }
  const code = inflated
    ? inflated.subarray(Number(start), Number(start + symbol.size))
    : elf.readBytes(section.offset + start, symbol.size, `${section.name} bytes of ${symbol.name}`);
  const symbols = elf.symbols();
  const map = addressMapFor(elf, relocatable ? section.index : undefined, () => (relocatable ? symbols.filter((s) => s.shndx === section.index) : symbols));
  const symbolize = (address: bigint): string | undefined => {
    const hit = map.lookup(address);
    return hit ? plusOffset(hit.symbol.name, hit.offset) : undefined;
  };
  return disassemble(code, symbol.value, { symbolize, relocations: relocatable ? relocationText(elf, section, symbols, start) : undefined });
}

/** Sorting every symbol of a vmlinux takes tens of milliseconds: once per file (and section, in objects). */
const addressMaps = new WeakMap<ElfFile, Map<number | undefined, AddressMap>>();
function addressMapFor(elf: ElfFile, section: number | undefined, symbols: () => ElfSymbol[]): AddressMap {
  let maps = addressMaps.get(elf);
  if (!maps) addressMaps.set(elf, (maps = new Map<number | undefined, AddressMap>()));
  let map = maps.get(section);
  if (!map) maps.set(section, (map = new AddressMap(symbols())));
  return map;
}

function relocationText(elf: ElfFile, section: ElfSection, symbols: ElfSymbol[], start: bigint): Map<number, string> {
  const texts = new Map<number, string>();
  for (const rela of elf.relocationSectionsFor(section)) {
    for (const r of elf.relocations(rela)) {
      const target = symbols[r.symbolIndex];
      const name = target?.type === STT.SECTION ? (elf.sections[target.shndx]?.name ?? '') : (target?.name ?? '');
      const type = R_X86_64[r.type] ?? `R_X86_64_${r.type}`;
      texts.set(Number(r.offset - start), `${hex(r.offset)}: ${type}\t${name}${addend(r.addend)}`);
    }
  }
  return texts;
}

/** A direct call, or a direct jump or jcc (gcc reaches a `.cold` part by jcc), found by directTransfers. */
export interface DirectTransfer {
  kind: 'call' | 'jump';
  /** Address of the instruction. */
  at: bigint;
  target: bigint;
}

/**
 * The direct calls and jumps in each [from, to) byte range of `code` (at
 * `address`), decoded from each range's start: what a call graph is built from. Only the flow
 * control and branch target of each instruction are read, not its text: a vmlinux has millions.
 */
export function directTransfers(code: Buffer, address: bigint, ranges: ReadonlyArray<readonly [number, number]>, visit: (range: number, transfer: DirectTransfer) => void): void {
  const { Decoder, DecoderOptions, FlowControl, Instruction, OpKind } = loadIced();
  const decoder = new Decoder(64, code, DecoderOptions.None);
  const instruction = new Instruction();
  try {
    ranges.forEach(([from, to], range) => {
      decoder.position = from;
      decoder.ip = address + BigInt(from);
      while (decoder.position < to && decoder.canDecode) {
        decoder.decodeOut(instruction);
        const flow = instruction.flowControl;
        if (flow !== FlowControl.Call && flow !== FlowControl.UnconditionalBranch && flow !== FlowControl.ConditionalBranch) continue;
        if (instruction.op0Kind !== OpKind.NearBranch64) continue;
        visit(range, { kind: flow === FlowControl.Call ? 'call' : 'jump', at: instruction.ip, target: instruction.nearBranch64 });
      }
    });
  } finally {
    decoder.free();
    instruction.free();
  }
}

import { disassembleSymbol, DisassembledInstruction, ElfFile, readElf, STT } from '../elf';

/**
 * Target functions' instructions, read from the target ELF on demand. The file stays open for
 * the session: hovers ask for one function at a time.
 */
export class FunctionCode {
  private elf: ElfFile | undefined;

  constructor(private readonly path: string) {}

  /** Every instruction of the function symbol `name` at `address` (empty when there is no such symbol). */
  instructions(name: string, address: bigint): DisassembledInstruction[] {
    this.elf ??= readElf(this.path);
    const symbol = this.elf.symbols().find((s) => s.name === name && s.value === address && s.type === STT.FUNC);
    return symbol ? disassembleSymbol(this.elf, symbol) : [];
  }

  firstInstructions(name: string, address: bigint, count: number): DisassembledInstruction[] {
    return this.instructions(name, address).slice(0, count);
  }

  close(): void {
    this.elf?.close();
    this.elf = undefined;
  }
}

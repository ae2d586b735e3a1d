import { disassembleSymbol, DisassembledInstruction, ElfFile, readElf, STT } from '../elf';

/**
 * The first instructions of target functions, read from the target ELF on demand. The file
 * stays open for the session: hovers ask for one function at a time.
 */
export class FunctionCode {
  private elf: ElfFile | undefined;

  constructor(private readonly path: string) {}

  firstInstructions(name: string, address: bigint, count: number): DisassembledInstruction[] {
    this.elf ??= readElf(this.path);
    const symbol = this.elf.symbols().find((s) => s.name === name && s.value === address && s.type === STT.FUNC);
    return symbol ? disassembleSymbol(this.elf, symbol).slice(0, count) : [];
  }

  close(): void {
    this.elf?.close();
    this.elf = undefined;
  }
}

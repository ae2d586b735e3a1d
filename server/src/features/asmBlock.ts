import type { DisassembledInstruction } from '../elf';

/** Instructions as a hover shows them, address, bytes and text: the bytes are what Xen overwrites and ftrace rewrites. */
export function asmBlock(code: readonly DisassembledInstruction[]): string[] {
  return ['```asm', ...code.map((i) => `${i.address.toString(16)}:  ${i.bytes.toString('hex').padEnd(16)}  ${i.text}`), '```'];
}

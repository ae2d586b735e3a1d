import { Register } from 'iced-x86';

/** A general-purpose register as the code generator sees it. */
export interface GpReg {
  /** x86 register number: rax=0, rcx=1, ... r15=15. */
  index: number;
  width: 8 | 16 | 32 | 64;
  /** AH, CH, DH, BH: bits 8..15 of register 0..3. */
  high: boolean;
}

export const GP_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

/** iced's Register numbering: 8-bit AL..R15L (1..20), then 16, 32 and 64-bit blocks of 16. */
export function gpRegister(reg: Register): GpReg | undefined {
  if (reg >= Register.AL && reg <= Register.R15L) {
    const n = reg - Register.AL;
    if (n < 4) return { index: n, width: 8, high: false };
    if (n < 8) return { index: n - 4, width: 8, high: true };
    return { index: n - 4, width: 8, high: false };
  }
  if (reg >= Register.AX && reg <= Register.R15W) return { index: reg - Register.AX, width: 16, high: false };
  if (reg >= Register.EAX && reg <= Register.R15D) return { index: reg - Register.EAX, width: 32, high: false };
  if (reg >= Register.RAX && reg <= Register.R15) return { index: reg - Register.RAX, width: 64, high: false };
  return undefined;
}

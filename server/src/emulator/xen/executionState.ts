import { fromPair, hex16 } from '../addr';
import { Machine } from '../machine';

// show_execution_state() of Xen 4.17 (xen/arch/x86/x86_64/traps.c show_registers(), then the
// call trace), in its wording, for what the emulator knows: the general registers, RIP and
// RFLAGS of the CPU that trapped, and its guest call stack. The banner line (Xen's version),
// the control and segment-base registers (not modelled: printed as 0), the code bytes and the
// raw stack words are left out.

/** `%pS`: `symbol+0xoffset/0xsize`, ` [payload]` after a payload's (livepatch_symbols_lookup), or the bare address when no symbol holds it. */
export function xenSymbol(machine: Machine, address: bigint): string {
  const hit = machine.symbols.at(address);
  if (!hit) return hex16(address);
  const payload = machine.images.some((image) => image.payload && image.name === hit.symbol.image) ? ` [${hit.symbol.image}]` : '';
  return `${hit.symbol.name}+0x${hit.offset.toString(16)}/0x${hit.symbol.size.toString(16)}${payload}`;
}

/** The register dump and call trace Xen prints after `Xen WARN at`, `Xen BUG at` and friends, trapped at `rip`. */
export function showExecutionState(machine: Machine, printk: (line: string) => void, rip: bigint): void {
  const c = machine.cpu.state;
  const r = (i: number): string => hex16(fromPair(c.lo[i], c.hi[i]));
  const zero = hex16(0n);
  const lines = [
    `CPU:    ${machine.patching?.runningCpu ?? 0}`,
    `RIP:    e008:[<${hex16(rip)}>] ${xenSymbol(machine, rip)}`,
    `RFLAGS: ${hex16(BigInt(c.rflags() >>> 0))}   CONTEXT: hypervisor`,
    `rax: ${r(0)}   rbx: ${r(3)}   rcx: ${r(1)}`,
    `rdx: ${r(2)}   rsi: ${r(6)}   rdi: ${r(7)}`,
    `rbp: ${r(5)}   rsp: ${r(4)}   r8:  ${r(8)}`,
    `r9:  ${r(9)}   r10: ${r(10)}   r11: ${r(11)}`,
    `r12: ${r(12)}   r13: ${r(13)}   r14: ${r(14)}`,
    `r15: ${r(15)}   cr0: ${zero}   cr4: ${zero}`,
    `cr3: ${zero}   cr2: ${zero}`,
    'Xen call trace:',
    `   [<${hex16(rip)}>] R ${xenSymbol(machine, rip)}`,
    ...machine
      .returnAddresses()
      .filter((address) => machine.symbols.at(address)?.symbol.image !== 'natives')
      .map((address) => `   [<${hex16(address)}>] S ${xenSymbol(machine, address)}`),
    '',
  ];
  for (const line of lines) printk(line);
}

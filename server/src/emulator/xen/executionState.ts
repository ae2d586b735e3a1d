import { fromPair, hex16 } from '../addr';
import { Machine } from '../machine';
import { callFromHandler } from './handlerCalls';

// show_execution_state() of Xen 4.17 (xen/arch/x86/x86_64/traps.c show_registers(), then the
// call trace), in its wording, for what the emulator knows: print_xen_info()'s banner, the
// general registers, RIP and RFLAGS of the CPU that trapped, and its guest call stack. The
// control and segment-base registers (not modelled: printed as 0), the code bytes and the raw
// stack words are left out.

/** `%pS`: `symbol+0xoffset/0xsize`, ` [payload]` after a payload's (livepatch_symbols_lookup), or the bare address when no symbol holds it. */
export function xenSymbol(machine: Machine, address: bigint): string {
  const hit = machine.symbols.at(address);
  if (!hit) return hex16(address);
  const payload = machine.images.some((image) => image.payload && image.name === hit.symbol.image) ? ` [${hit.symbol.image}]` : '';
  return `${hit.symbol.name}+0x${hit.offset.toString(16)}/0x${hit.symbol.size.toString(16)}${payload}`;
}

/** TAINT_STRING_MAX_LEN: print_tainted()'s buffer. */
const TAINT_STRING_MAX_LEN = 20n;
const taintBuffers = new WeakMap<Machine, bigint>();

/**
 * print_xen_info(): `----[ Xen-4.17.7  x86_64  debug=n  Not tainted ]----`, each part from the
 * hypervisor's own function, so a payload's replacement of one shows in it (xen_trap_world's
 * `debug=n, patched`, as on Debian's Xen). A target without print_tainted() is not tainted;
 * one without the version functions, or whose functions do not return here, has no banner.
 */
function xenInfoBanner(machine: Machine): string | undefined {
  const run = (name: string, args: bigint[] = []): bigint | undefined => {
    const symbol = machine.symbols.get(name);
    const result = symbol && callFromHandler(machine, symbol.address, args);
    return result?.status === 'returned' ? result.rax : undefined;
  };
  const string = (address: bigint | undefined): string | undefined => (address === undefined ? undefined : machine.memory.readCString(address));
  const [major, minor, extra, build] = [run('xen_major_version'), run('xen_minor_version'), string(run('xen_extra_version')), string(run('xen_build_info'))];
  if (major === undefined || minor === undefined || extra === undefined || build === undefined) return undefined;
  let tainted = 'Not tainted';
  if (machine.symbols.get('print_tainted')) {
    let buffer = taintBuffers.get(machine);
    if (buffer === undefined) taintBuffers.set(machine, (buffer = machine.allocate(TAINT_STRING_MAX_LEN, 'print_tainted() buffer of the register dump')));
    tainted = string(run('print_tainted', [buffer])) ?? tainted;
  }
  return `----[ Xen-${BigInt.asIntN(32, major)}.${BigInt.asIntN(32, minor)}${extra}  x86_64  ${build}  ${tainted} ]----`;
}

/** The register dump and call trace Xen prints after `Xen WARN at`, `Xen BUG at` and friends, trapped at `rip`. */
export function showExecutionState(machine: Machine, printk: (line: string) => void, rip: bigint, rflags: number): void {
  const banner = xenInfoBanner(machine);
  const c = machine.cpu.state;
  const r = (i: number): string => hex16(fromPair(c.lo[i], c.hi[i]));
  const zero = hex16(0n);
  const lines = [
    ...(banner ? [banner] : []),
    `CPU:    ${machine.patching?.runningCpu ?? 0}`,
    `RIP:    e008:[<${hex16(rip)}>] ${xenSymbol(machine, rip)}`,
    `RFLAGS: ${hex16(BigInt(rflags >>> 0))}   CONTEXT: hypervisor`,
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

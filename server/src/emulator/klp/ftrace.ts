import { Machine } from '../machine';

/** The 5-byte NOP ftrace writes over `call __fentry__` (ideal_nops[5]: nopl 0x0(%rax,%rax,1)). */
const FTRACE_NOP = new Uint8Array([0x0f, 0x1f, 0x44, 0x00, 0x00]);

/**
 * Dynamic ftrace: every `call __fentry__` the compiler emitted (listed in __mcount_loc) is a NOP
 * until someone traces the function; then the site calls the machine's `__fentry__` native,
 * where the fentry hook (the livepatch core's handler) may redirect the function.
 */
export class Ftrace {
  /** Function entry -> its call site, for the target and loaded modules. */
  private readonly sites = new Map<bigint, bigint>();
  private readonly enabled = new Set<bigint>();

  constructor(private readonly machine: Machine) {}

  /** Registers call sites (ftrace_init / ftrace_module_init) and NOPs them. */
  addSites(sites: bigint[]): void {
    for (const site of sites) {
      const fn = this.machine.symbols.at(site);
      this.sites.set(fn && fn.offset <= 4n ? fn.symbol.address : site, site);
      this.machine.memory.write(site, FTRACE_NOP, { force: true });
    }
  }

  /** Forgets the sites in [start, end) (a module going away). */
  removeSites(start: bigint, end: bigint): void {
    for (const [fn, site] of this.sites) {
      if (site >= start && site < end) {
        this.sites.delete(fn);
        this.enabled.delete(site);
      }
    }
  }

  /** Drops a function's site: its entry was overwritten (a target function the kernel model implements). */
  forget(functionAddress: bigint): void {
    this.sites.delete(functionAddress);
  }

  /** The `__fentry__` call site of a function entry; undefined for a notrace function. */
  siteOf(functionAddress: bigint): bigint | undefined {
    return this.sites.get(functionAddress);
  }

  /** Makes a site call `__fentry__` (true) or turns it back into the NOP (false), written as ftrace does: by text_poke_bp. */
  setTraced(site: bigint, traced: boolean): void {
    if (traced === this.enabled.has(site)) return;
    if (traced) {
      const rel = BigInt.asUintN(32, this.machine.nativeAddress('__fentry__')! - (site + 5n));
      this.machine.memory.pokeText(site, new Uint8Array([0xe8, ...[0n, 8n, 16n, 24n].map((s) => Number((rel >> s) & 0xffn))]));
      this.enabled.add(site);
    } else {
      this.machine.memory.pokeText(site, FTRACE_NOP);
      this.enabled.delete(site);
    }
  }

  isTraced(site: bigint): boolean {
    return this.enabled.has(site);
  }
}

/** Reads an __mcount_loc table: 8-byte addresses of the call sites. */
export function readMcountTable(machine: Machine, start: bigint, end: bigint): bigint[] {
  const sites: bigint[] = [];
  for (let at = start; at + 8n <= end; at += 8n) sites.push(machine.memory.readU64(at));
  return sites;
}

/** ftrace_init(): the target's sites from __start_mcount_loc..__stop_mcount_loc. */
export function installFtrace(kernel: { readonly machine: Machine; readonly ftrace: Ftrace }): void {
  const start = kernel.machine.symbols.get('__start_mcount_loc')?.address;
  const end = kernel.machine.symbols.get('__stop_mcount_loc')?.address;
  if (start !== undefined && end !== undefined) kernel.ftrace.addSites(readMcountTable(kernel.machine, start, end));
}

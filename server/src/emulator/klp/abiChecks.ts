import { ElfFile, SHN, STB } from '../../elf';
import { EINVAL, ENOENT, ENOEXEC } from './errno';
import type { KernelLog } from './log';
import type { ModuleAbi } from './moduleAbi';
import type { ModuleFile } from '../../payload/klp/moduleFile';

/*
 * The checks 6.1's load_module() makes of a module against the kernel's ABI, in its order and
 * words (kernel/module/main.c, version.c, strict_rwx.c): check_modstruct_version(),
 * check_modinfo(), module_enforce_rwx_sections(), then simplify_symbols() against the kernel's
 * exports with their CRCs. Each returns 0 or a negative errno after printing why.
 */

/** include/linux/panic.h bit numbers. */
export const TAINT = { PROPRIETARY: 0, FORCED: 1, CRAP: 10, OOT: 12, UNSIGNED: 13, LIVEPATCH: 15, TEST: 18 } as const;

/** The kernel's taint word and the once-a-boot notices that go with it. */
export interface TaintState {
  taints: number;
  /** spectre_v2_bad_module: set (with a line) by the first module built without retpolines. */
  spectreWarned?: boolean;
  /** debug_locks: cleared (with a line) by the first taint that makes lockdep unreliable. */
  lockDebugOff?: boolean;
}

export interface AbiContext {
  log: KernelLog;
  abi: ModuleAbi;
  file: ModuleFile;
  state: TaintState;
  /** The module's own taints, as it gathers them. */
  mine: { taints: number };
  /** The exports of loaded modules, by name. */
  moduleExports: ReadonlySet<string>;
}

const gplCompatible = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

function addTaint(c: AbiContext, bit: number, line: string | undefined, level: number, lockdepUnreliable = false): void {
  if (line && !(c.state.taints & (1 << bit))) c.log.printk(`\x01${level}${line}\n`);
  c.state.taints |= 1 << bit;
  c.mine.taints |= 1 << bit;
  if (lockdepUnreliable && !c.state.lockDebugOff) {
    c.state.lockDebugOff = true;
    c.log.printk('\x014Disabling lock debugging due to kernel taint\n');
  }
}

/** try_to_force_load(): with CONFIG_MODULE_FORCE_LOAD a taint and a line, else a refusal. */
function forceLoad(c: AbiContext, reason: string): boolean {
  if (!c.abi.forceLoad) return false;
  addTaint(c, TAINT.FORCED, `${c.file.structName}: ${reason}: kernel tainted.`, 4, true);
  return true;
}

/** __versions: 64-byte entries, an unsigned long CRC then a 56-byte name. */
function versions(c: AbiContext): Map<string, number> | undefined {
  const s = c.file.find('__versions');
  if (!s) return undefined;
  const table = new Map<string, number>();
  const b = c.file.bytes;
  for (let at = Number(s.offset); at + 64 <= Number(s.offset + s.size); at += 64) {
    let end = at + 8;
    while (end < at + 64 && b[end] !== 0) end++;
    const name = String.fromCharCode(...b.subarray(at + 8, end));
    if (!table.has(name)) table.set(name, (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0);
  }
  return table;
}

/** check_version(): whether the module's CRC for `symbol` is the kernel's. */
function checkVersion(c: AbiContext, symbol: string, crc: number | undefined): boolean {
  if (crc === undefined) return true;
  const table = versions(c);
  if (!table) return forceLoad(c, symbol);
  const mine = table.get(symbol);
  if (mine === crc) return true;
  c.log.printk(`\x014${c.file.name}: ${mine === undefined ? 'no symbol version for' : 'disagrees about version of symbol'} ${symbol}\n`);
  return false;
}

/** check_modstruct_version(), check_modinfo() and module_enforce_rwx_sections(), in load_module()'s order. */
export function checkAgainstAbi(c: AbiContext): number {
  const { file, log, abi } = c;
  if (!checkVersion(c, 'module_layout', abi.exports.get('module_layout')?.crc)) return -ENOEXEC;
  const vermagic = file.modinfo('vermagic');
  if (vermagic === undefined) {
    if (!forceLoad(c, 'bad vermagic')) return -ENOEXEC;
  } else if (!sameMagic(vermagic, abi.vermagic, versions(c) !== undefined)) {
    log.printk(`\x013${file.name}: version magic '${vermagic}' should be '${abi.vermagic}'\n`);
    return -ENOEXEC;
  }
  const mod = file.structName;
  if (file.modinfo('intree') === undefined) addTaint(c, TAINT.OOT, `${mod}: loading out-of-tree module taints kernel.`, 4);
  // check_modinfo_retpoline(): retpoline_module_ok() says it once per boot, then the module line each time.
  if (abi.retpoline && file.modinfo('retpoline') === undefined) {
    if (!c.state.spectreWarned) log.printk('\x013Spectre V2 : System may be vulnerable to spectre v2\n');
    c.state.spectreWarned = true;
    log.printk(`\x014${mod}: loading module not compiled with retpoline compiler.\n`);
  }
  if (file.modinfo('staging') !== undefined) {
    addTaint(c, TAINT.CRAP, undefined, 4);
    log.printk(`\x014${mod}: module is from the staging directory, the quality is unknown, you have been warned.\n`);
  }
  if (file.modinfo('livepatch') !== undefined) addTaint(c, TAINT.LIVEPATCH, `${mod}: tainting kernel with TAINT_LIVEPATCH`, 5);
  const license = file.modinfo('license');
  if (!gplCompatible.has(license ?? '')) addTaint(c, TAINT.PROPRIETARY, `${mod}: module license '${license ?? 'unspecified'}' taints kernel.`, 4, true);
  if (file.modinfo('test') !== undefined) addTaint(c, TAINT.TEST, `${mod}: loading test module taints kernel.`, 4);
  for (const s of file.sections)
    if ((s.flags & 0x5n) === 0x5n) {
      log.printk(`\x013${mod}: section ${s.name} (index ${s.index}) has invalid WRITE|EXEC flags\n`);
      return -ENOEXEC;
    }
  return 0;
}

/** same_magic(): with CRCs, the release (up to the first space) is not compared. */
function sameMagic(a: string, b: string, hasCrcs: boolean): boolean {
  return hasCrcs ? a.slice(a.search(/ |$/)) === b.slice(b.search(/ |$/)) : a === b;
}

/**
 * simplify_symbols(): every symbol in table order, each refusal printed, the last one returned.
 * `modelled` says whether the emulator can link a name the kernel exports (a native or the
 * target's); one it cannot is refused with a line that says so.
 */
export function simplifySymbols(c: AbiContext, elf: ElfFile, modelled: (name: string) => boolean): number {
  const mod = c.file.structName;
  const shnum = c.file.sections.length;
  const proprietary = (c.mine.taints & (1 << TAINT.PROPRIETARY)) !== 0;
  let ret = 0;
  for (const sym of elf.symbols().slice(1)) {
    if (sym.shndx === SHN.COMMON) {
      if (sym.name.startsWith('__gnu_lto')) continue;
      c.log.printk(`\x014${mod}: please compile with -fno-common\n`);
      ret = -ENOEXEC;
    } else if (sym.shndx === SHN.ABS || sym.shndx === SHN.LIVEPATCH) continue;
    else if (sym.shndx === SHN.UNDEF) {
      const kernel = c.abi.exports.get(sym.name);
      const found = (kernel && (!kernel.gplOnly || !proprietary)) || c.moduleExports.has(sym.name);
      let err = 0;
      if (!found) err = sym.bind === STB.WEAK || sym.name === '_GLOBAL_OFFSET_TABLE_' ? 0 : -ENOENT;
      else if (kernel && !checkVersion(c, sym.name, kernel.crc)) err = -EINVAL;
      else if (kernel && !modelled(sym.name)) {
        c.log.printk(`\x014${mod}: ${sym.name} is exported by the kernel but not modelled by the emulator\n`);
        err = -ENOENT;
      }
      if (err) {
        c.log.printk(`\x014${mod}: Unknown symbol ${sym.name} (err ${err})\n`);
        ret = err;
      }
    } else if (sym.shndx >= shnum) {
      c.log.printk(`\x013${mod}: Symbol ${sym.name} has an invalid section index ${sym.shndx} (max ${shnum - 1})\n`);
      ret = -ENOEXEC;
    }
  }
  return ret;
}

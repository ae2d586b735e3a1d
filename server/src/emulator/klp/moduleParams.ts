import { EINVAL } from './errno';
import type { KernelServices } from './kernelServices';
import type { KernelModule, ModuleParam } from './kernelModule';

/** The types of include/linux/moduleparam.h's param_ops_<type>, with the width each stores. */
const PARAM_TYPES: Record<string, { bytes: number; signed: boolean } | 'bool' | 'invbool' | 'charp'> = {
  byte: { bytes: 1, signed: false },
  short: { bytes: 2, signed: true },
  ushort: { bytes: 2, signed: false },
  int: { bytes: 4, signed: true },
  uint: { bytes: 4, signed: false },
  long: { bytes: 8, signed: true },
  ulong: { bytes: 8, signed: false },
  ullong: { bytes: 8, signed: false },
  hexint: { bytes: 4, signed: false },
  bool: 'bool',
  invbool: 'invbool',
  charp: 'charp',
};

// struct kernel_param on x86-64 (6.1): name, mod, ops, perm (u16), level, flags, then the arg union.
const KP_SIZE = 40n;
const KP_NAME = 0n;
const KP_OPS = 16n;
const KP_PERM = 24n;
const KP_ARG = 32n;

/**
 * Data symbols `param_ops_<type>` for modules to point at; the kernel model knows each by address.
 * A real vmlinux has its own, which modules link to: those are the ones known then.
 */
export function defineParamOps(kernel: KernelServices, define: (name: string, size: bigint) => bigint): void {
  const ops = new Map<bigint, string>();
  for (const type of Object.keys(PARAM_TYPES)) ops.set(kernel.machine.symbols.global(`param_ops_${type}`)?.address ?? define(`param_ops_${type}`, 32n), type);
  paramOpsOf.set(kernel, ops);
}

/** Each kernel's param_ops_<type> addresses. */
const paramOpsOf = new WeakMap<KernelServices, Map<bigint, string>>();

/** The module's `__param` section: one struct kernel_param per module_param(). */
export function readModuleParams(kernel: KernelServices, mod: KernelModule): ModuleParam[] {
  const section = mod.image.sections.find((s) => s.name === '__param');
  if (!section) return [];
  const m = kernel.machine.memory;
  const params: ModuleParam[] = [];
  for (let at = section.address; at + KP_SIZE <= section.address + section.size; at += KP_SIZE) {
    const type = paramOpsOf.get(kernel)?.get(m.readU64(at + KP_OPS)) ?? 'unknown';
    params.push({
      name: m.readCString(m.readU64(at + KP_NAME), 256),
      type,
      perm: m.readU32(at + KP_PERM) & 0xffff,
      address: m.readU64(at + KP_ARG),
      opsAddress: m.readU64(at + KP_OPS),
    });
  }
  return params;
}

/**
 * parse_args() over `name=value` arguments: an unknown name is warned about and ignored (as
 * for modules since 4.x), a bad value refuses the module. Returns the refusal, if any.
 */
export function applyModuleParams(kernel: KernelServices, mod: KernelModule, args: string[]): string | undefined {
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = (eq < 0 ? arg : arg.slice(0, eq)).replace(/-/g, '_');
    const value = eq < 0 ? undefined : arg.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    const param = mod.params.find((p) => p.name === name);
    if (!param) {
      kernel.log.printk(`\x014${mod.name}: unknown parameter '${name}' ignored\n`);
      continue;
    }
    if (!setParam(kernel, param, value)) {
      kernel.log.printk(`\x013${mod.name}: '${value ?? ''}' invalid for parameter '${name}'\n`);
      return `'${value ?? ''}' invalid for parameter '${name}'`;
    }
  }
  return undefined;
}

/**
 * mod_sysfs_setup()'s /sys/module/MOD/parameters/NAME for each parameter with a mode: reading is
 * the type's param_get_* (`%d\n`, `Y\n`/`N\n`, `%s\n`), writing its param_set_* (-EINVAL when the
 * value does not parse). Removed with the module's /sys/module/MOD folder (`fs.unregister`).
 */
export function registerParamFiles(kernel: KernelServices, mod: KernelModule): void {
  for (const param of mod.params) {
    if (!param.perm) continue;
    kernel.fs.register(`/sys/module/${mod.name}/parameters/${param.name}`, {
      ...(param.perm & 0o444 ? { read: () => `${getParam(kernel, param)}\n` } : {}),
      ...(param.perm & 0o222 ? { write: (value: string) => (setParam(kernel, param, value) ? 0 : -EINVAL) } : {}),
    });
  }
}

function getParam(kernel: KernelServices, param: ModuleParam): string {
  const m = kernel.machine.memory;
  const spec = PARAM_TYPES[param.type];
  if (spec === 'bool' || spec === 'invbool') return (m.readU8(param.address) !== 0) !== (spec === 'invbool') ? 'Y' : 'N';
  if (spec === 'charp') {
    const text = m.readU64(param.address);
    return text ? m.readCString(text, 4096) : '(null)';
  }
  if (spec === undefined) return '';
  const bytes = m.read(param.address, spec.bytes);
  const raw = bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
  const value = spec.signed ? BigInt.asIntN(spec.bytes * 8, raw) : raw;
  // param_get_hexint's %#x: no 0x for zero.
  return param.type === 'hexint' && value ? `0x${value.toString(16)}` : value.toString();
}

function setParam(kernel: KernelServices, param: ModuleParam, value: string | undefined): boolean {
  const m = kernel.machine.memory;
  const spec = PARAM_TYPES[param.type];
  if (spec === undefined) return false;
  if (spec === 'bool' || spec === 'invbool') {
    // param_set_bool: no value means true; kstrtobool's first characters decide.
    const parsed = value === undefined ? true : strtobool(value);
    if (parsed === undefined) return false;
    m.write(param.address, new Uint8Array([Number(parsed !== (spec === 'invbool'))]));
    return true;
  }
  if (spec === 'charp') {
    if (value === undefined) return false;
    m.writeU64(param.address, kernel.heap.string(value));
    return true;
  }
  if (value === undefined) return false;
  const parsed = strtoll(value, param.type === 'hexint' ? 16 : 0);
  if (parsed === undefined) return false;
  const bits = BigInt(spec.bytes * 8);
  const min = spec.signed ? -(1n << (bits - 1n)) : 0n;
  const max = spec.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (parsed < min || parsed > max) return false;
  const raw = BigInt.asUintN(Number(bits), parsed);
  m.write(
    param.address,
    Uint8Array.from({ length: spec.bytes }, (_, i) => Number((raw >> BigInt(8 * i)) & 0xffn)),
  );
  return true;
}

/** kstrtobool(): y/Y/1/on true, n/N/0/off false. */
function strtobool(text: string): boolean | undefined {
  const t = text.toLowerCase();
  if (t[0] === 'y' || t[0] === '1' || t === 'on') return true;
  if (t[0] === 'n' || t[0] === '0' || t === 'off') return false;
  return undefined;
}

/** kstrtoll(): an optional sign, then base 0 (0x hex, 0 octal, else decimal), one trailing newline allowed. */
function strtoll(text: string, base: number): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*|[0-9a-fA-F]+)\n?$/.exec(text);
  if (!m) return undefined;
  const digits = m[2];
  let value: bigint;
  if (base === 16) value = BigInt(`0x${digits.replace(/^0[xX]/, '')}`);
  else if (/^0[xX]/.test(digits)) value = BigInt(digits);
  else if (digits.length > 1 && digits[0] === '0') value = BigInt(`0o${digits.slice(1)}`);
  else if (/^[0-9]+$/.test(digits)) value = BigInt(digits);
  else return undefined;
  return m[1] === '-' ? -value : value;
}

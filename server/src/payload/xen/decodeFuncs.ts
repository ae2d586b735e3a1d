import { ElfSection } from '../../elf';
import { RelocatedSections } from '../relocatedSections';
import { XenExpectation, XenFunc, XenFuncsSection } from '../model';
import { funcField, funcLayouts, layoutFor } from './funcsLayout';

/**
 * The `struct livepatch_func` entries of `.livepatch.funcs`, each pointer resolved through
 * `.rela.livepatch.funcs`. A trailing partial entry is not decoded (the size check reports it).
 */
export function decodeFuncs(view: RelocatedSections, section: ElfSection): { funcsSection: XenFuncsSection; funcs: XenFunc[] } {
  const bytes = view.bytes(section);
  const layout = layoutFor(bytes.length > funcField.version ? bytes[funcField.version] : 2);
  const shape = funcLayouts[layout];
  const funcs: XenFunc[] = [];
  for (let index = 0; (index + 1) * shape.size <= bytes.length; index++) {
    const at = index * shape.size;
    const base = BigInt(at);
    const entry = bytes.subarray(at, at + shape.size);
    const nameField = view.pointer(section, base + funcField.name);
    const name = view.stringAt(nameField.reloc);
    const nonZeroReserved: number[] = [];
    for (const [start, end] of shape.reserved) for (let i = start; i < end; i++) if (entry[i] !== 0) nonZeroReserved.push(i);
    funcs.push({
      index,
      offset: base,
      ...(name !== undefined ? { name } : {}),
      nameField,
      newAddr: view.pointer(section, base + funcField.newAddr),
      oldAddr: view.pointer(section, base + funcField.oldAddr),
      newSize: entry.readUInt32LE(funcField.newSize),
      oldSize: entry.readUInt32LE(funcField.oldSize),
      version: entry[funcField.version],
      nonZeroReserved,
      ...(shape.applied !== undefined && shape.expect !== undefined ? { applied: entry[shape.applied], expect: expectation(entry.subarray(shape.expect)) } : {}),
    });
  }
  return { funcsSection: { section: section.name, size: section.size, flags: section.flags, layout, entrySize: shape.size }, funcs };
}

/** `livepatch_expectation_t`: byte 0 is `enabled:1, len:5, rsv:2` (LSB first), then data[31]. */
function expectation(bytes: Buffer): XenExpectation {
  const bits = bytes[0];
  return { enabled: (bits & 1) === 1, len: (bits >> 1) & 0x1f, rsv: bits >> 6, data: Buffer.from(bytes.subarray(1, 32)) };
}

import { relocationSymbol, sampleBytes, setRelocationAddend, setRelocationSymbol, setSectionField, setSymbolValue, xenSample } from './payloadBytes';

// xen_hello_world with one field changed the way a mutation campaign changes it, each making the
// hypervisor follow a pointer that is not the payload's. .rela.livepatch.funcs holds the entry's
// three relocations in field order: name, new_addr, old_addr.

const hello = (): Buffer => sampleBytes(xenSample('xen_hello_world'));

/** The section symbol the name relocation is against moved 64 KiB on: the name lands past its 18-byte section. */
export function nameOutside(): Buffer {
  const bytes = hello();
  return setSymbolValue(bytes, relocationSymbol(bytes, '.rela.livepatch.funcs', 0), 0x10000n);
}

/** old_addr's relocation moved 16 MiB past xen_extra_version, where the hypervisor has no code. */
export const oldAddrMoved = (): Buffer => setRelocationAddend(hello(), '.rela.livepatch.funcs', 2, 0x1000000n);

/** The load hook's relocation moved 1 MiB past hi_func, outside the payload. */
export const hookOutside = (): Buffer => setRelocationAddend(hello(), '.rela.livepatch.hooks.load', 0, 0x100000n);

/** The load hook pointed at the old function's name string: inside the payload, but not code. */
export function hookIntoData(): Buffer {
  const bytes = hello();
  return setRelocationSymbol(bytes, '.rela.livepatch.hooks.load', 0, relocationSymbol(bytes, '.rela.livepatch.funcs', 0));
}

/** `.bss.hello_world_loads` (4 bytes, used by the load hook) grown to `size` bytes. */
export const bigBss = (size: bigint): Buffer => setSectionField(hello(), '.bss.hello_world_loads', 'size', size);

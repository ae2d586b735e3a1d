import { Machine } from '../../machine';

/**
 * Xen's console ring (drivers/char/console.c): what the image's own printk writes, `(XEN) `
 * prefixes included, and what `xl dmesg` reads. `conring` points at the ring, `conringp` is
 * the producer index (free-running, masked by the power-of-two `conring_size`). The emulator
 * reads it after each call, so the real printk's output is the call's output.
 */
export function readConsoleRing(machine: Machine): Machine['guestConsole'] {
  const [ring, producer, size] = ['conring', 'conringp', 'conring_size'].map((name) => machine.symbols.get(name)?.address);
  if (ring === undefined || producer === undefined || size === undefined) return undefined;
  const memory = machine.memory;
  return {
    position: () => BigInt(memory.readU32(producer)),
    text: (from, to) => {
      const length = BigInt(memory.readU32(size));
      const start = to - from > length ? to - length : from;
      const base = memory.readU64(ring);
      let out = '';
      for (let i = start; i < to; i++) out += String.fromCharCode(memory.readU8(base + (i & (length - 1n))));
      return out;
    },
  };
}

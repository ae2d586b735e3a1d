import { cpuHas } from '../cpu/features';
import { LoadedImage } from '../loader';
import { Memory } from '../memory';
import { altInstrSize } from '../../payload';
import { addNops } from './nops';
import { XenConsole } from './console';
import { hex16 } from '../addr';
import { panic } from './panic';
import { alternativeBug } from '../../payload';

// apply_alternatives() of Xen 4.17 (xen/arch/x86/alternative.c) over a payload's
// .altinstructions, at upload (prepare_payload), for the emulated CPU's features
// (cpu/features.ts). The table's size and the bounds of each entry were judged before (LP314);
// the lengths and the feature number are _apply_alternatives()'s BUG_ONs (LP371).

const field = { origOffset: 0n, replOffset: 4n, cpuid: 8n, origLen: 10n, replLen: 11n, padLen: 12n, priv: 13n } as const;

/** Each site whose feature the CPU has gets the replacement (a leading call/jmp rel32 re-aimed), padded with NOPs; the others keep the original, their padding made ideal NOPs. */
export function applyAlternatives(memory: Memory, console: XenConsole, image: LoadedImage): void {
  const table = image.sections.find((s) => s.name === '.altinstructions');
  if (!table) return;
  // _apply_alternatives()'s KERN_INFO line, %p of the table's bounds.
  console.printk(`alt table ${hex16(table.address)} -> ${hex16(table.address + table.size)}`);
  const touched = new Set<bigint>();
  for (let at = table.address; at + BigInt(altInstrSize) <= table.address + table.size; at += BigInt(altInstrSize)) {
    const orig = at + field.origOffset + BigInt(memory.readU32(at + field.origOffset) | 0);
    const repl = at + field.replOffset + BigInt(memory.readU32(at + field.replOffset) | 0);
    const cpuid = memory.readU32(at + field.cpuid) & 0xffff;
    const [origLen, replLen, padLen] = [memory.readU8(at + field.origLen), memory.readU8(at + field.replLen), memory.readU8(at + field.padLen)];
    const total = origLen + padLen;
    const bug = alternativeBug({ origLen, replLen, padLen, cpuid });
    if (bug) {
      // BUG_ON() in Xen's own code: its line, then panic (the register dump is of Xen's _apply_alternatives, which the emulator does not run).
      console.printk(bug.xenBug);
      console.note(`${image.name}: .altinstructions[${(at - table.address) / BigInt(altInstrSize)}]: ${bug.why}, so Xen's BUG_ON(${bug.condition}) fires (LP371)`);
      panic(console, bug.xenBug);
    }
    // A site already rewritten (ALTERNATIVE_2's second entry) keeps its bytes unless this entry's feature is there too.
    const rewritten = touched.has(orig);
    const present = cpuHas(cpuid);
    if (rewritten && !present) continue;
    touched.add(orig);
    memory.write(at + field.priv, Uint8Array.of(1), { force: true });
    if (!present) {
      if (padLen > 1) memory.write(orig + BigInt(origLen), addNops(padLen), { force: true });
      continue;
    }
    const buffer = new Uint8Array(total);
    buffer.set(memory.read(repl, replLen));
    if (replLen >= 5 && (buffer[0] & 0xfe) === 0xe8) {
      const view = new DataView(buffer.buffer);
      view.setInt32(1, Number(BigInt.asIntN(32, BigInt(view.getInt32(1, true)) + repl - orig)), true);
    }
    buffer.set(addNops(total - replLen), replLen);
    memory.write(orig, buffer, { force: true });
  }
}

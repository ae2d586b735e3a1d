// The BUG_ON()s of Xen 4.17's _apply_alternatives() (xen/arch/x86/alternative.c), checked for
// each struct alt_instr before it is applied, whatever the CPU's features. Debian's
// 4.17.7+13-g2445b30a44 has them at lines 258-260 (the frames of its xen-syms's .bug_frames.2
// that name _apply_alternatives' ud2s); its buffer is MAX_PATCH_LEN = 255 - 1 bytes and its
// feature numbers end at NCAPINTS * 32 = 672 (`cmp $0xfe`, `cmp $0x29f` in its disassembly).

const MAX_PATCH_LEN = 255 - 1;
const FEATURE_BITS = 21 * 32;

export interface AltLengths {
  origLen: number;
  replLen: number;
  padLen: number;
  cpuid: number;
}

export interface AlternativeBug {
  /** The BUG_ON's condition as Xen's source spells it. */
  condition: string;
  /** What Xen prints: `Xen BUG at arch/x86/alternative.c:<line>`, then it panics with the same line. */
  xenBug: string;
  /** Why, in the entry's own numbers. */
  why: string;
}

const bug = (line: number, condition: string, why: string): AlternativeBug => ({ condition, xenBug: `Xen BUG at arch/x86/alternative.c:${line}`, why });

/** The first BUG_ON an entry trips, in Xen's order; undefined when it trips none. */
export function alternativeBug(a: AltLengths): AlternativeBug | undefined {
  const total = a.origLen + a.padLen;
  if (a.replLen > total) {
    return bug(
      258,
      'a->repl_len > total_len',
      `its replacement is ${a.replLen} bytes, longer than the ${total} bytes (orig_len ${a.origLen} + pad_len ${a.padLen}) it is written over`,
    );
  }
  if (total > MAX_PATCH_LEN) return bug(259, 'total_len > sizeof(buf)', `orig_len + pad_len is ${total} bytes, more than the ${MAX_PATCH_LEN}-byte buffer Xen patches through`);
  if (a.cpuid >= FEATURE_BITS) return bug(260, 'a->cpuid >= NCAPINTS * 32', `its feature number ${a.cpuid} is past Xen's ${FEATURE_BITS} feature bits`);
  return undefined;
}

/*
 * Xen 4.17's x86 alternatives (xen/arch/x86/include/asm/alternative.h): the original
 * instruction in the text, padded with NOPs to the longer of the two, the replacement in
 * .altinstr_replacement, and a 14-byte struct alt_instr in .altinstructions (s32 orig_offset,
 * s32 repl_offset, u16 cpuid, u8 orig_len, u8 repl_len, u8 pad_len, u8 priv). At upload
 * apply_alternatives() writes the replacement over the original when the boot CPU has the
 * feature, and leaves the original (with its padding) when not.
 */
#ifndef _XEN_ALTERNATIVE_H
#define _XEN_ALTERNATIVE_H

/* Feature numbers: word * 32 + bit (xen/include/public/arch-x86/cpufeatureset.h). */
#define X86_FEATURE_LM (2 * 32 + 29)
#define X86_FEATURE_AVX512_VP2INTERSECT (9 * 32 + 8)

#define __alt_str1(x) #x
#define __alt_str(x) __alt_str1(x)

#define ALTERNATIVE(oldinstr, newinstr, feature)                                                          \
	".L%=_orig_s:\n\t" oldinstr "\n.L%=_orig_e:\n\t"                                                  \
	".L%=_diff = (.L%=_repl_e - .L%=_repl_s) - (.L%=_orig_e - .L%=_orig_s)\n\t"                   \
	".skip (-(.L%=_diff > 0) * .L%=_diff), 0x90\n"                                                   \
	".L%=_orig_p:\n"                                                                                  \
	".pushsection .altinstructions, \"a\", @progbits\n"                                              \
	".long .L%=_orig_s - .\n"                                                                         \
	".long .L%=_repl_s - .\n"                                                                         \
	".word " __alt_str(feature) "\n"                                                                         \
	".byte .L%=_orig_e - .L%=_orig_s\n"                                                               \
	".byte .L%=_repl_e - .L%=_repl_s\n"                                                               \
	".byte .L%=_orig_p - .L%=_orig_e\n"                                                               \
	".byte 0\n"                                                                                       \
	".popsection\n"                                                                                   \
	".pushsection .altinstr_replacement, \"ax\", @progbits\n"                                        \
	".L%=_repl_s:\n\t" newinstr "\n.L%=_repl_e:\n"                                                    \
	".popsection\n"

/* The asm statement of one alternative with its output operand (Xen's alternative_io, inputs left out). */
#define alternative_io(oldinstr, newinstr, feature, output) asm volatile(ALTERNATIVE(oldinstr, newinstr, feature) : output)

#endif

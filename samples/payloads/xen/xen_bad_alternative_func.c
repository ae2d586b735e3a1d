/*
 * One alternative site written out by hand without the ALTERNATIVE() macro's padding: the
 * 2-byte `xor` is all the room there is for the 5-byte `mov $1`.
 */
#include <xen/alternative.h>

const char *xen_bad_alternative_extra_version(void)
{
	unsigned int v;

	asm volatile(".L%=_orig_s: xor %k0, %k0\n.L%=_orig_e:\n"
		     ".pushsection .altinstructions, \"a\", @progbits\n"
		     ".long .L%=_orig_s - .\n"
		     ".long .L%=_repl_s - .\n"
		     ".word %c[feature]\n"
		     ".byte .L%=_orig_e - .L%=_orig_s\n"
		     ".byte .L%=_repl_e - .L%=_repl_s\n"
		     ".byte 0\n"
		     ".byte 0\n"
		     ".popsection\n"
		     ".pushsection .altinstr_replacement, \"ax\", @progbits\n"
		     ".L%=_repl_s: mov $1, %k0\n"
		     ".L%=_repl_e:\n"
		     ".popsection\n"
		     : "=r"(v)
		     : [feature] "i"(X86_FEATURE_LM));
	return v ? "-bad-lm" : "-bad-orig";
}

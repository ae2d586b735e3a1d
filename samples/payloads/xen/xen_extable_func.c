/* A read that may fault, with its fixup, and the replacement for xen_major_version() that uses it. */
#include <linux/errno.h>

int xen_extable_read(const unsigned long *p, unsigned long *val)
{
	int rc;
	unsigned long v;

	asm volatile("1: mov %[p], %[v]\n"
		     "2:\n"
		     ".pushsection .fixup, \"ax\"\n"
		     "3: mov %[efault], %[rc]\n"
		     "   xor %k[v], %k[v]\n"
		     "   jmp 2b\n"
		     ".popsection\n"
		     /*
		      * Xen 4.17's _ASM_EXTABLE(1b, 3b) (asm_defns.h), spelled out: in .ex_table, an 8-byte
		      * struct exception_table_entry of two displacements, each from itself, to the
		      * instruction that may fault and to where execution goes on if it does.
		      */
		     ".pushsection .ex_table, \"a\"\n"
		     ".balign 4\n"
		     ".long 1b - .\n"
		     ".long 3b - .\n"
		     ".popsection\n"
		     : [rc] "=r"(rc), [v] "=r"(v)
		     : [p] "m"(*p), [efault] "i"(-EFAULT), "0"(0));
	*val = v;
	return rc;
}

unsigned int xen_extable_major_version(void)
{
	unsigned long value;

	return 40 - xen_extable_read((const unsigned long *)0x8000000000000000UL, &value);
}

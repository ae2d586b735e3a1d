/* A read that may fault, with its fixup, and the replacement for xen_major_version() that uses it. */
#include <linux/errno.h>
#include <xen/extable.h>

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
		     ".popsection\n" _ASM_EXTABLE(1b, 3b)
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

/*
 * An exception-table fixup in payload code: xen_extable_read() reads a word through an
 * instruction with an .ex_table entry, so a fault there goes on at its fixup in .fixup, which
 * answers -EFAULT (like Xen's rdmsr_safe and copy_from_user). The load hook reads a word of its
 * own and one at a non-canonical address; the replacement of xen_major_version() answers 40
 * plus the number of the error the faulting read got (40 + 14 = 54).
 */
#include <linux/kernel.h>
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

unsigned int xen_extable_major_version(void);
int xen_extable_read(const unsigned long *p, unsigned long *val);

static const char extable_patch_this_fnc[] = "xen_major_version";

static const unsigned long extable_word = 0x1234;

static void extable_hook(void)
{
	unsigned long value = 0;
	int rc = xen_extable_read(&extable_word, &value);

	printk("%s: own word: rc=%d value=0x%lx\n", __func__, rc, value);
	rc = xen_extable_read((const unsigned long *)0x8000000000000000UL, &value);
	printk("%s: non-canonical address: rc=%d value=0x%lx\n", __func__, rc, value);
}

LIVEPATCH_LOAD_HOOK(extable_hook);

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_extable = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = extable_patch_this_fnc,
	.new_addr = xen_extable_major_version,
	.old_addr = xen_major_version,
	.new_size = XEN_EXTABLE_MAJOR_VERSION_SZ,
	.old_size = XEN_MAJOR_VERSION_SZ,
};

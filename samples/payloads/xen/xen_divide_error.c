/*
 * A division by zero in payload code: Xen's do_trap() finds no exception-table entry for it and
 * calls fatal_trap(), which prints the registers and panics `FATAL TRAP: vec 0, #DE[0000]`, with
 * ` IN INTERRUPT CONTEXT` after it: the load hook runs while the patching CPU has interrupts off.
 */
#include <linux/kernel.h>
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

unsigned int xen_divide_error_minor_version(void);

static const char divide_error_patch_this_fnc[] = "xen_minor_version";

static void divide_error_hook(void)
{
	volatile unsigned int one = 1, zero = 0;

	printk("%s: before the division\n", __func__);
	printk("%s: 1 / 0 = %u\n", __func__, one / zero);
}

LIVEPATCH_LOAD_HOOK(divide_error_hook);

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_divide_error = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = divide_error_patch_this_fnc,
	.new_addr = xen_divide_error_minor_version,
	.old_addr = xen_minor_version,
	.new_size = XEN_DIVIDE_ERROR_MINOR_VERSION_SZ,
	.old_size = XEN_MINOR_VERSION_SZ,
};

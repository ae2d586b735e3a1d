/*
 * A ud2 without a bug frame in payload code (__builtin_trap(), what unreachable code compiles
 * to): Xen's do_invalid_op() finds neither a frame nor an exception-table entry for it, prints the
 * registers and panics `FATAL TRAP: vector = 6 (invalid opcode)`. The load hook traps while the
 * payload is applied, so the hypervisor dies during the apply.
 */
#include <linux/kernel.h>
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

unsigned int xen_fatal_trap_minor_version(void);

static const char fatal_trap_patch_this_fnc[] = "xen_minor_version";

static void fatal_trap_hook(void)
{
	printk("%s: before the ud2\n", __func__);
	__builtin_trap();
}

LIVEPATCH_LOAD_HOOK(fatal_trap_hook);

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_fatal_trap = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = fatal_trap_patch_this_fnc,
	.new_addr = xen_fatal_trap_minor_version,
	.old_addr = xen_minor_version,
	.new_size = XEN_FATAL_TRAP_MINOR_VERSION_SZ,
	.old_size = XEN_MINOR_VERSION_SZ,
};

/*
 * Like xen/test/livepatch/xen_hello_world.c: replaces xen_extra_version() with
 * xen_hello_world() and counts its load and unload hooks. Sizes come from config.h, which the
 * Makefile writes from `nm -S` of the target and of xen_hello_world_func.o.
 */
#include <linux/kernel.h>
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

const char *xen_hello_world(void);

static const char hello_world_patch_this_fnc[] = "xen_extra_version";

/* Shown by `xen-livepatch list`; the hypervisor requires the trailing NUL. */
__attribute__((used, section(".modinfo"))) static const char hello_world_modinfo[] = "LIVEPATCH_RULEZ";

static unsigned int hello_world_loads;

static void hi_func(void)
{
	hello_world_loads++;
	printk("%s: Hi! (called %u times)\n", __func__, hello_world_loads);
}

static void bye_func(void)
{
	printk("%s: Bye!\n", __func__);
}

LIVEPATCH_LOAD_HOOK(hi_func);
LIVEPATCH_UNLOAD_HOOK(bye_func);

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_hello_world = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = hello_world_patch_this_fnc,
	.new_addr = xen_hello_world,
	.old_addr = xen_extra_version,
	.new_size = XEN_HELLO_WORLD_SZ,
	.old_size = XEN_EXTRA_VERSION_SZ,
};

/*
 * Like xen/test/livepatch/xen_replace_world.c: old_addr is 0, so the hypervisor resolves
 * .name in its symbol table; depends on the target itself, as REPLACE requires.
 */
#include <xen/livepatch_payload.h>
#include "config.h"

const char *xen_replace_world(void);

static const char replace_world_patch_this_fnc[] = "xen_extra_version";

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_replace_world = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = replace_world_patch_this_fnc,
	.new_addr = xen_replace_world,
	.old_addr = 0,
	.new_size = XEN_REPLACE_WORLD_SZ,
	.old_size = XEN_EXTRA_VERSION_SZ,
};

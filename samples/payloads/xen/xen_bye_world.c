/*
 * Like xen/test/livepatch/xen_bye_world.c: replaces xen_extra_version() again, stacked on
 * xen_hello_world: its .livepatch.depends holds xen_hello_world.livepatch's build-id, so it can
 * only be applied while that payload is the last one applied.
 */
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

const char *xen_bye_world(void);

static const char bye_world_patch_this_fnc[] = "xen_extra_version";

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_bye_world = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = bye_world_patch_this_fnc,
	.new_addr = xen_bye_world,
	.old_addr = xen_extra_version,
	.new_size = XEN_BYE_WORLD_SZ,
	.old_size = XEN_EXTRA_VERSION_SZ,
};

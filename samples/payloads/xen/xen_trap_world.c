/*
 * The torn-write scenario's payload (samples/scenarios/torn-write.xlp): replaces
 * xen_build_info(), which the sample target's NMI and #MC handlers call, with xen_trap_world().
 * Built like xen_hello_world; it is the one sample payload LP360 warns about, as it should: a
 * machine check while Xen writes the jump runs the half-written function.
 */
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

const char *xen_trap_world(void);

static const char trap_world_patch_this_fnc[] = "xen_build_info";

/* Shown by `xen-livepatch list`; the hypervisor requires the trailing NUL. */
__attribute__((used, section(".modinfo"))) static const char trap_world_modinfo[] = "LIVEPATCH_RULEZ";

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_trap_world = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = trap_world_patch_this_fnc,
	.new_addr = xen_trap_world,
	.old_addr = xen_build_info,
	.new_size = XEN_TRAP_WORLD_SZ,
	.old_size = XEN_BUILD_INFO_SZ,
};

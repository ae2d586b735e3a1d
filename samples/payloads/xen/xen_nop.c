/*
 * Like xen/test/livepatch/xen_nop.c: new_addr 0 NOPs out new_size bytes at old_addr, here all
 * of xen_minor_version() but its final one-byte ret (so it returns whatever %eax holds). The
 * address and size are the linked target's, from `nm -S`, written to config.h by the Makefile.
 */
#include <xen/livepatch_payload.h>
#include "config.h"

static const char nop_patch_this_fnc[] = "xen_minor_version";

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_nop = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = nop_patch_this_fnc,
	.new_addr = 0,
	.old_addr = (void *)XEN_MINOR_VERSION_ADDR,
	.new_size = XEN_MINOR_VERSION_SZ - 1,
	.old_size = XEN_MINOR_VERSION_SZ,
};

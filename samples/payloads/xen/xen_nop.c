/*
 * Like xen/test/livepatch/xen_nop.c: new_addr 0 NOPs out new_size bytes at old_addr, all of xen_minor_version()
 * before its way out (ret, or a return-thunk jmp: not Xen's `_SZ - 1`, see LP338), so it returns whatever %eax
 * holds. Address, size and the way out's offset are the target's (`nm -S`, objdump), in config.h from the Makefile.
 */
#include <xen/livepatch_payload.h>
#include "config.h"

static const char nop_patch_this_fnc[] = "xen_minor_version";

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_nop = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = nop_patch_this_fnc,
	.new_addr = 0,
	.old_addr = (void *)XEN_MINOR_VERSION_ADDR,
	.new_size = XEN_MINOR_VERSION_BODY_SZ,
	.old_size = XEN_MINOR_VERSION_SZ,
};

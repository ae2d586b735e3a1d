/*
 * An alternative whose replacement (5 bytes) is longer than the original it replaces (2 bytes,
 * no padding), as no ALTERNATIVE() macro makes one (see xen_bad_alternative_func.c). Xen 4.17's
 * _apply_alternatives() hits BUG_ON(a->repl_len > total_len) at upload: `Xen BUG at
 * arch/x86/alternative.c:258`, and the hypervisor panics. LP371 reports it before any upload.
 */
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

const char *xen_bad_alternative_extra_version(void);

static const char bad_alternative_patch_this_fnc[] = "xen_extra_version";

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_bad_alternative = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = bad_alternative_patch_this_fnc,
	.new_addr = xen_bad_alternative_extra_version,
	.old_addr = xen_extra_version,
	.new_size = XEN_BAD_ALTERNATIVE_EXTRA_VERSION_SZ,
	.old_size = XEN_EXTRA_VERSION_SZ,
};

/*
 * Alternatives in payload code, applied at upload for the boot CPU's features: one on
 * X86_FEATURE_LM (every x86-64 CPU has it: the replacement runs), one on
 * X86_FEATURE_AVX512_VP2INTERSECT (neither the emulated CPU nor QEMU's qemu64 has it: the
 * original runs). Each original is shorter than its replacement, so the assembler pads it with
 * NOPs. The load hook prints which code each site runs; the replacement of xen_extra_version()
 * names both.
 */
#include <linux/kernel.h>
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

const char *xen_alternative_extra_version(void);
unsigned int xen_alternative_lm(void);
unsigned int xen_alternative_vp2intersect(void);

static const char alternative_patch_this_fnc[] = "xen_extra_version";

static void alternative_hook(void)
{
	printk("%s: LM site runs %s, VP2INTERSECT site runs %s\n", __func__, xen_alternative_lm() ? "the replacement" : "the original",
	       xen_alternative_vp2intersect() ? "the replacement" : "the original");
}

LIVEPATCH_LOAD_HOOK(alternative_hook);

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_alternative = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = alternative_patch_this_fnc,
	.new_addr = xen_alternative_extra_version,
	.old_addr = xen_extra_version,
	.new_size = XEN_ALTERNATIVE_EXTRA_VERSION_SZ,
	.old_size = XEN_EXTRA_VERSION_SZ,
};

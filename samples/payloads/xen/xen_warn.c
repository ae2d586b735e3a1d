/*
 * A WARN() in payload code: Xen finds its bug frame in the payload's .bug_frames.1 (a payload's
 * virtual region is registered at upload), prints `Xen WARN at <file>:<line>` and the registers,
 * and goes on after the ud2. The load hook warns once while the payload is applied (before its
 * function is patched); the replacement of xen_minor_version() answers 77 and does not warn
 * (see xen_warn_func.c).
 */
#include <linux/kernel.h>
#include <xen/bug.h>
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

unsigned int xen_warn_minor_version(void);

static const char warn_patch_this_fnc[] = "xen_minor_version";

static void warn_hook(void)
{
	printk("%s: before the WARN\n", __func__);
	WARN();
	printk("%s: after the WARN\n", __func__);
}

LIVEPATCH_LOAD_HOOK(warn_hook);

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_warn = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = warn_patch_this_fnc,
	.new_addr = xen_warn_minor_version,
	.old_addr = xen_minor_version,
	.new_size = XEN_WARN_MINOR_VERSION_SZ,
	.old_size = XEN_MINOR_VERSION_SZ,
};

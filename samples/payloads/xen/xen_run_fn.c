/*
 * run_in_exception_handler() in payload code: a ud2 whose frame is in .bug_frames.0 (Xen's
 * BUGFRAME_run_fn). Xen's do_invalid_op() calls the frame's function with the trapped registers
 * (regs->rip is the ud2, regs->entry_vector 6) and goes on after the ud2. The load hook prints
 * what the handler saw; the replacement of xen_minor_version() answers 76.
 */
#include <linux/kernel.h>
#include <xen/bug.h>
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

unsigned int xen_run_fn_minor_version(void);

static const char run_fn_patch_this_fnc[] = "xen_minor_version";

static unsigned int run_fn_calls;

static void run_fn_hook(void);

static void run_fn_handler(struct cpu_user_regs *regs)
{
	run_fn_calls++;
	printk("%s: vector %u at run_fn_hook+%lu\n", __func__, regs->entry_vector, regs->rip - (unsigned long)run_fn_hook);
}

static void run_fn_hook(void)
{
	run_in_exception_handler(run_fn_handler);
	printk("%s: after the ud2, the handler ran %u time(s)\n", __func__, run_fn_calls);
}

LIVEPATCH_LOAD_HOOK(run_fn_hook);

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_run_fn = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = run_fn_patch_this_fnc,
	.new_addr = xen_run_fn_minor_version,
	.old_addr = xen_minor_version,
	.new_size = XEN_RUN_FN_MINOR_VERSION_SZ,
	.old_size = XEN_MINOR_VERSION_SZ,
};

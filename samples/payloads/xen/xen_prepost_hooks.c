/*
 * Like xen/test/livepatch/xen_prepost_hooks.c: one hook of each pre/post kind (each section
 * holds exactly one pointer). The first pre-revert is refused, so the first REVERT fails and
 * the second succeeds; any of these hooks makes the payload "vetoing", which blocks REPLACE.
 */
#include <linux/kernel.h>
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"

#define EBUSY 16

unsigned int xen_hooks_major_version(void);

static const char major_version_patch_this_fnc[] = "xen_major_version";

static unsigned int pre_apply_cnt;
static unsigned int post_apply_cnt;
static unsigned int pre_revert_cnt;
static unsigned int post_revert_cnt;

static int pre_apply_hook(livepatch_payload_t *payload)
{
	pre_apply_cnt++;
	printk("%s: pre-apply #%u\n", __func__, pre_apply_cnt);
	return 0;
}

static void post_apply_hook(livepatch_payload_t *payload)
{
	post_apply_cnt++;
	printk("%s: post-apply #%u\n", __func__, post_apply_cnt);
}

static int pre_revert_hook(livepatch_payload_t *payload)
{
	pre_revert_cnt++;
	printk("%s: pre-revert #%u\n", __func__, pre_revert_cnt);
	return pre_revert_cnt == 1 ? -EBUSY : 0;
}

static void post_revert_hook(livepatch_payload_t *payload)
{
	post_revert_cnt++;
	printk("%s: post-revert #%u\n", __func__, post_revert_cnt);
}

LIVEPATCH_PREAPPLY_HOOK(pre_apply_hook);
LIVEPATCH_POSTAPPLY_HOOK(post_apply_hook);
LIVEPATCH_PREREVERT_HOOK(pre_revert_hook);
LIVEPATCH_POSTREVERT_HOOK(post_revert_hook);

struct livepatch_func __attribute__((section(".livepatch.funcs"))) livepatch_xen_major_version = {
	.version = LIVEPATCH_PAYLOAD_VERSION,
	.name = major_version_patch_this_fnc,
	.new_addr = xen_hooks_major_version,
	.old_addr = xen_major_version,
	.new_size = XEN_HOOKS_MAJOR_VERSION_SZ,
	.old_size = XEN_MAJOR_VERSION_SZ,
};

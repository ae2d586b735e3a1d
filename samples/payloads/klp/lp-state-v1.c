/*
 * A cumulative patch with system state 1 at version 1: it may go in before lp-replace
 * (version 2 takes the state over) but not after it, where it would lower the version.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

static unsigned int lp_state_v1_major_version(void)
{
	return 41;
}

static struct klp_func funcs[] = {
	{ .old_name = "xen_major_version", .new_func = lp_state_v1_major_version },
	{ }
};

static struct klp_object objs[] = {
	{ .funcs = funcs },
	{ }
};

static struct klp_state states[] = {
	{ .id = 1, .version = 1 },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.states = states,
	.replace = true,
};

static int lp_state_v1_init(void)
{
	return klp_enable_patch(&patch);
}

static void lp_state_v1_exit(void)
{
}

module_init(lp_state_v1_init);
module_exit(lp_state_v1_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

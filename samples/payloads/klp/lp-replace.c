/*
 * A cumulative patch (.replace = true) that changes xen_major_version() only: the functions
 * older patches changed get nops and run their original code again once it is complete. It
 * declares system state 1 at version 2; its pre_patch callback records what klp_get_state()
 * and klp_get_prev_state() return.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

#define LP_STATE_ID 1

struct klp_state *klp_get_state(struct klp_patch *patch, unsigned long id);
struct klp_state *klp_get_prev_state(unsigned long id);

unsigned int lp_replace_own_version;
unsigned int lp_replace_prev_version;

static unsigned int lp_replace_major_version(void)
{
	return 40;
}

static struct klp_patch patch;

static int lp_replace_pre_patch(struct klp_object *obj)
{
	struct klp_state *own = klp_get_state(&patch, LP_STATE_ID);
	struct klp_state *prev = klp_get_prev_state(LP_STATE_ID);

	lp_replace_own_version = own ? own->version : 0;
	lp_replace_prev_version = prev ? prev->version : 0;
	return 0;
}

static struct klp_func funcs[] = {
	{ .old_name = "xen_major_version", .new_func = lp_replace_major_version },
	{ }
};

static struct klp_object objs[] = {
	{ .funcs = funcs, .callbacks = { .pre_patch = lp_replace_pre_patch } },
	{ }
};

static struct klp_state states[] = {
	{ .id = LP_STATE_ID, .version = 2 },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.states = states,
	.replace = true,
};

static int lp_replace_init(void)
{
	return klp_enable_patch(&patch);
}

static void lp_replace_exit(void)
{
}

module_init(lp_replace_init);
module_exit(lp_replace_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

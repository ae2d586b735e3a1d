/*
 * Patches sleepy_work_fn() in the module sleepy_work: a kworker asleep in the old function
 * blocks the transition until its sleep ends (or the admin forces it).
 */
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/livepatch.h>
#include <linux/workqueue.h>

static void lp_sleepy_patch_work_fn(struct work_struct *w)
{
	pr_info("lp_sleepy_patch: patched sleepy_work_fn runs\n");
}

static struct klp_func funcs[] = {
	{ .old_name = "sleepy_work_fn", .new_func = lp_sleepy_patch_work_fn },
	{ }
};

static struct klp_object objs[] = {
	{ .name = "sleepy_work", .funcs = funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int lp_sleepy_patch_init(void)
{
	return klp_enable_patch(&patch);
}

static void lp_sleepy_patch_exit(void)
{
}

module_init(lp_sleepy_patch_init);
module_exit(lp_sleepy_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

/*
 * Patches lp_busymod_work() in the module lp_busymod (an object that is a module, patched
 * when it loads and unpatched when it goes); its callbacks print which object they run for.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

static unsigned int lp_busymod_patch_work(void)
{
	return 70;
}

static int lp_busymod_patch_pre_patch(struct klp_object *obj)
{
	printk("lp_busymod_patch: pre_patch %s\n", obj->mod ? obj->mod->name : "(not loaded)");
	return 0;
}

static void lp_busymod_patch_post_patch(struct klp_object *obj)
{
	printk("lp_busymod_patch: post_patch\n");
}

static void lp_busymod_patch_pre_unpatch(struct klp_object *obj)
{
	printk("lp_busymod_patch: pre_unpatch\n");
}

static void lp_busymod_patch_post_unpatch(struct klp_object *obj)
{
	printk("lp_busymod_patch: post_unpatch\n");
}

static struct klp_func funcs[] = {
	{ .old_name = "lp_busymod_work", .new_func = lp_busymod_patch_work },
	{ }
};

static struct klp_object objs[] = {
	{
		.name = "lp_busymod",
		.funcs = funcs,
		.callbacks = {
			.pre_patch = lp_busymod_patch_pre_patch,
			.post_patch = lp_busymod_patch_post_patch,
			.pre_unpatch = lp_busymod_patch_pre_unpatch,
			.post_unpatch = lp_busymod_patch_post_unpatch,
		},
	},
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int lp_busymod_patch_init(void)
{
	return klp_enable_patch(&patch);
}

static void lp_busymod_patch_exit(void)
{
}

module_init(lp_busymod_patch_init);
module_exit(lp_busymod_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

/*
 * A pre_patch callback that fails (-ENODEV) for vmlinux and for the module lp_busymod: the
 * kernel refuses to enable the patch, and refuses lp_busymod's load while the patch is on.
 * lp_failing_prepatch_veto selects which object refuses (1 vmlinux, 2 lp_busymod).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

#define ENODEV 19

int lp_failing_prepatch_veto = 1;

static unsigned int lp_failing_prepatch_minor_version(void)
{
	return 3;
}

static unsigned int lp_failing_prepatch_work(void)
{
	return 4;
}

static int lp_failing_prepatch_vmlinux(struct klp_object *obj)
{
	return lp_failing_prepatch_veto == 1 ? -ENODEV : 0;
}

static int lp_failing_prepatch_module(struct klp_object *obj)
{
	return lp_failing_prepatch_veto == 2 ? -ENODEV : 0;
}

static void lp_failing_prepatch_post_unpatch(struct klp_object *obj)
{
	printk("lp_failing_prepatch: post_unpatch %s\n", obj->name ? obj->name : "vmlinux");
}

static struct klp_func vmlinux_funcs[] = {
	{ .old_name = "xen_minor_version", .new_func = lp_failing_prepatch_minor_version },
	{ }
};

static struct klp_func busymod_funcs[] = {
	{ .old_name = "lp_busymod_work", .new_func = lp_failing_prepatch_work },
	{ }
};

static struct klp_object objs[] = {
	{
		.funcs = vmlinux_funcs,
		.callbacks = { .pre_patch = lp_failing_prepatch_vmlinux, .post_unpatch = lp_failing_prepatch_post_unpatch },
	},
	{
		.name = "lp_busymod",
		.funcs = busymod_funcs,
		.callbacks = { .pre_patch = lp_failing_prepatch_module, .post_unpatch = lp_failing_prepatch_post_unpatch },
	},
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int lp_failing_prepatch_init(void)
{
	return klp_enable_patch(&patch);
}

static void lp_failing_prepatch_exit(void)
{
}

module_init(lp_failing_prepatch_init);
module_exit(lp_failing_prepatch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

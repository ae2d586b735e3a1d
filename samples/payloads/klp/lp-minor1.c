/*
 * The first of two patches stacked on xen_minor_version(): it returns 1001 once patched. Its
 * vmlinux callbacks print their names, so a test sees the kernel's order and pairing. When
 * lp_minor1_hold is set, the next call sleeps inside the replacement.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

void msleep(unsigned int msecs);

int lp_minor1_hold;

static unsigned int lp_minor1_minor_version(void)
{
	if (lp_minor1_hold) {
		lp_minor1_hold = 0;
		msleep(1000);
	}
	return 1001;
}

static int lp_minor1_pre_patch(struct klp_object *obj)
{
	printk("lp_minor1: pre_patch\n");
	return 0;
}

static void lp_minor1_post_patch(struct klp_object *obj)
{
	printk("lp_minor1: post_patch\n");
}

static void lp_minor1_pre_unpatch(struct klp_object *obj)
{
	printk("lp_minor1: pre_unpatch\n");
}

static void lp_minor1_post_unpatch(struct klp_object *obj)
{
	printk("lp_minor1: post_unpatch\n");
}

static struct klp_func funcs[] = {
	{ .old_name = "xen_minor_version", .new_func = lp_minor1_minor_version },
	{ }
};

static struct klp_object objs[] = {
	{
		.funcs = funcs,
		.callbacks = {
			.pre_patch = lp_minor1_pre_patch,
			.post_patch = lp_minor1_post_patch,
			.pre_unpatch = lp_minor1_pre_unpatch,
			.post_unpatch = lp_minor1_post_unpatch,
		},
	},
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int lp_minor1_init(void)
{
	return klp_enable_patch(&patch);
}

static void lp_minor1_exit(void)
{
}

module_init(lp_minor1_init);
module_exit(lp_minor1_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

/*
 * The fix of leaky.c, after the kernel's livepatch-shadow-fix1.c: struct dummy cannot grow in a
 * live patch, so the buffer's pointer goes into a shadow variable <dummy, LEAKY_SV_LEAK>
 * attached when the dummy is allocated, and freed with it by the shadow's destructor. Dummies
 * allocated before the fix have no shadow: their buffers stay lost.
 */
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/livepatch.h>

#define LEAKY_SV_LEAK 1
#define LIFETIME 3

struct dummy {
	unsigned long id;
	unsigned long expires;
};

static int leak_ctor(void *obj, void *shadow_data, void *ctor_data)
{
	void **shadow_leak = shadow_data;

	*shadow_leak = *(void **)ctor_data;
	return 0;
}

static struct dummy *leaky_fix_dummy_alloc(unsigned long id)
{
	struct dummy *d = kzalloc(sizeof(*d), GFP_KERNEL);
	void *leak;

	if (!d)
		return NULL;
	d->id = id;
	d->expires = id + LIFETIME;
	leak = kzalloc(1000, GFP_KERNEL);
	if (!leak || !klp_shadow_alloc(d, LEAKY_SV_LEAK, sizeof(leak), GFP_KERNEL, leak_ctor, &leak)) {
		kfree(leak);
		kfree(d);
		return NULL;
	}
	return d;
}

static void leak_dtor(void *obj, void *shadow_data)
{
	kfree(*(void **)shadow_data);
}

static void leaky_fix_dummy_free(struct dummy *d)
{
	klp_shadow_free(d, LEAKY_SV_LEAK, leak_dtor);
	kfree(d);
}

static struct klp_func funcs[] = {
	{ .old_name = "leaky_dummy_alloc", .new_func = leaky_fix_dummy_alloc },
	{ .old_name = "leaky_dummy_free", .new_func = leaky_fix_dummy_free },
	{ }
};

static struct klp_object objs[] = {
	{ .name = "leaky", .funcs = funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int leaky_fix_init(void)
{
	return klp_enable_patch(&patch);
}

static void leaky_fix_exit(void)
{
	/* Dummies still alive keep their shadows: free their buffers too. */
	klp_shadow_free_all(LEAKY_SV_LEAK, leak_dtor);
}

module_init(leaky_fix_init);
module_exit(leaky_fix_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

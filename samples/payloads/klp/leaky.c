/*
 * A leaking module, after the kernel's samples/livepatch/livepatch-shadow-mod.c: every second
 * its work allocates a dummy and, with it, a 1000-byte buffer (kmalloc-1k) whose pointer it
 * forgets to keep; dummies expire after three seconds and are freed, their buffers never. The
 * fix (leaky-fix.c) needs a new field in struct dummy to remember the buffer: a shadow variable.
 */
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/workqueue.h>

#define DUMMIES 8
#define LIFETIME 3

struct dummy {
	unsigned long id;
	unsigned long expires;
};

static struct dummy *dummies[DUMMIES];
static unsigned long ticks;
static struct delayed_work work;

__attribute__((noinline)) struct dummy *leaky_dummy_alloc(unsigned long id)
{
	struct dummy *d = kzalloc(sizeof(*d), GFP_KERNEL);
	void *leak;

	if (!d)
		return NULL;
	d->id = id;
	d->expires = id + LIFETIME;
	leak = kzalloc(1000, GFP_KERNEL);
	/* Oops, forgot to save leak! */
	(void)leak;
	return d;
}

__attribute__((noinline)) void leaky_dummy_free(struct dummy *d)
{
	kfree(d);
}

static void leaky_work_fn(struct work_struct *w)
{
	int i;

	ticks++;
	for (i = 0; i < DUMMIES; i++) {
		if (dummies[i] && dummies[i]->expires <= ticks) {
			leaky_dummy_free(dummies[i]);
			dummies[i] = NULL;
		}
	}
	for (i = 0; i < DUMMIES; i++) {
		if (!dummies[i]) {
			dummies[i] = leaky_dummy_alloc(ticks);
			break;
		}
	}
	schedule_delayed_work(&work, HZ);
}

static int leaky_init(void)
{
	INIT_DELAYED_WORK(&work, leaky_work_fn);
	schedule_delayed_work(&work, HZ);
	return 0;
}

static void leaky_exit(void)
{
	int i;

	cancel_delayed_work_sync(&work);
	for (i = 0; i < DUMMIES; i++)
		if (dummies[i])
			leaky_dummy_free(dummies[i]);
	pr_info("leaky: %lu dummies allocated and freed\n", ticks);
}

module_init(leaky_init);
module_exit(leaky_exit);
MODULE_LICENSE("GPL");

/*
 * An ordinary module whose work item calls xen_minor_version() twice on a kworker and prints
 * both results: with lp_minor2 loaded with lp_minor2_hold=1, the first call sleeps inside
 * lp_minor2's replacement, so that kworker is the task held in the patched state while
 * lp_minor2 is disabled (samples/scenarios/stacked-patches.sh).
 */
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/workqueue.h>
#include <xen/version.h>

static struct work_struct work;

static void minor_caller_fn(struct work_struct *w)
{
	unsigned int first = xen_minor_version();
	unsigned int second = xen_minor_version();

	pr_info("minor_caller: xen_minor_version() = %u, then %u\n", first, second);
}

static int minor_caller_init(void)
{
	INIT_WORK(&work, minor_caller_fn);
	schedule_work(&work);
	return 0;
}

static void minor_caller_exit(void)
{
	flush_work(&work);
}

module_init(minor_caller_init);
module_exit(minor_caller_exit);
MODULE_LICENSE("GPL");

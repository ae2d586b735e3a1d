/*
 * Tries to patch sched_clock(), which is notrace (no __fentry__ call at its start): ftrace
 * has no location for it, so the kernel refuses to enable the patch.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

static unsigned long long lp_notrace_sched_clock(void)
{
	return 0;
}

static struct klp_func funcs[] = {
	{ .old_name = "sched_clock", .new_func = lp_notrace_sched_clock },
	{ }
};

static struct klp_object objs[] = {
	{ .funcs = funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int lp_notrace_init(void)
{
	return klp_enable_patch(&patch);
}

static void lp_notrace_exit(void)
{
}

module_init(lp_notrace_init);
module_exit(lp_notrace_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

/*
 * The second patch stacked on xen_minor_version(): it returns 1002. When lp_minor2_hold is
 * set, the next call sleeps inside the replacement, so the task that made it cannot switch
 * while this patch is being disabled; once woken it calls xen_minor_version() again, still
 * unswitched, and keeps what both calls returned.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/moduleparam.h>
#include <xen/version.h>

void msleep(unsigned int msecs);

int lp_minor2_hold;
/* `insmod lp-minor2.ko lp_minor2_hold=1`: how a scenario holds the next caller (samples/scenarios/stacked-patches.sh). */
module_param(lp_minor2_hold, int, 0644);
unsigned int lp_minor2_seen[2];

static unsigned int lp_minor2_minor_version(void)
{
	if (lp_minor2_hold) {
		lp_minor2_hold = 0;
		msleep(1000);
	}
	return 1002;
}

/* What a held task runs: its second call comes after the sleep, before it switched. */
void lp_minor2_held_caller(void)
{
	lp_minor2_seen[0] = xen_minor_version();
	lp_minor2_seen[1] = xen_minor_version();
}

static struct klp_func funcs[] = {
	{ .old_name = "xen_minor_version", .new_func = lp_minor2_minor_version },
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

static int lp_minor2_init(void)
{
	return klp_enable_patch(&patch);
}

static void lp_minor2_exit(void)
{
}

module_init(lp_minor2_init);
module_exit(lp_minor2_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

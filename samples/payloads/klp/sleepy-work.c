/*
 * A module whose delayed work sleeps inside one of its own functions: the kworker running it
 * shows sleepy_work_fn on its stack for sleep_secs seconds of guest time (what blocks a
 * livepatch transition of that function), then logs that it woke.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/workqueue.h>

static int sleep_secs = 2;
module_param(sleep_secs, int, 0644);
MODULE_PARM_DESC(sleep_secs, "sleep_secs (default=2)");

static struct delayed_work work;

static void sleepy_work_fn(struct work_struct *w)
{
	pr_info("sleepy_work: %s enter, sleeping %d s\n", __func__, sleep_secs);
	msleep(sleep_secs * 1000);
	pr_info("sleepy_work: %s exit\n", __func__);
}

static int sleepy_work_init(void)
{
	INIT_DELAYED_WORK(&work, sleepy_work_fn);
	schedule_delayed_work(&work, 0);
	return 0;
}

static void sleepy_work_exit(void)
{
	cancel_delayed_work_sync(&work);
}

module_init(sleepy_work_init);
module_exit(sleepy_work_exit);
MODULE_LICENSE("GPL");

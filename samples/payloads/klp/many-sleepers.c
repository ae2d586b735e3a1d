/*
 * `count` kernel threads (parameter, default 100) that sleep in msleep() a second at a time
 * until the module goes: a kernel with many tasks for the transition benchmark
 * (bench/linux.bench.mjs), each with a stack the consistency model must check.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/delay.h>
#include <linux/sched.h>

static int count = 100;
module_param(count, int, 0444);
static volatile int stopping;

static int sleeper_fn(void *data)
{
	while (!stopping)
		msleep(1000);
	return 0;
}

static int many_sleepers_init(void)
{
	int i;

	for (i = 0; i < count; i++)
		if (!kthread_run(sleeper_fn, NULL, "sleeper"))
			return -11; /* -EAGAIN: out of task slots */
	pr_info("many_sleepers: %d threads\n", count);
	return 0;
}

/* Every thread sees `stopping` within a second and exits before the module's code goes. */
static void many_sleepers_exit(void)
{
	stopping = 1;
	msleep(2000);
}

module_init(many_sleepers_init);
module_exit(many_sleepers_exit);
MODULE_LICENSE("GPL");

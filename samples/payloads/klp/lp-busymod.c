/*
 * An ordinary module (not a livepatch) whose work sleeps inside lp_busymod_work(): a task
 * running lp_busymod_run() has that function on its stack while it sleeps, which blocks a
 * transition that patches it (the idea of the kernel's livepatch-callbacks-busymod).
 */
#include <linux/module.h>
#include <linux/kernel.h>

void msleep(unsigned int msecs);

__attribute__((noinline)) unsigned int lp_busymod_work(void)
{
	msleep(5000);
	return 7;
}

unsigned int lp_busymod_run(void)
{
	return lp_busymod_work() + 1;
}

static int lp_busymod_init(void)
{
	return 0;
}

static void lp_busymod_exit(void)
{
}

module_init(lp_busymod_init);
module_exit(lp_busymod_exit);
MODULE_LICENSE("GPL");

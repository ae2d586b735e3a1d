/* A module whose init fails with -ENODEV: insmod reports it and the module is not loaded (an exit function too: the .mod.c names both). */
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/errno.h>

static int init_fails_init(void)
{
	pr_err("init_fails: no device, giving up\n");
	return -ENODEV;
}

static void init_fails_exit(void)
{
}

module_init(init_fails_init);
module_exit(init_fails_exit);
MODULE_LICENSE("GPL");

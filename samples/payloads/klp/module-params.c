/* Module parameters of each common type, set by `insmod module-params.ko name=value` and printed at init. */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

static int count = 1;
module_param(count, int, 0444);
static bool verbose;
module_param(verbose, bool, 0444);
static char *greeting = "hello";
module_param(greeting, charp, 0444);
static unsigned long limit = 10;
module_param(limit, ulong, 0444);

static int module_params_init(void)
{
	pr_info("module_params: count=%d verbose=%d greeting=%s limit=%lu\n", count, verbose, greeting, limit);
	return 0;
}

static void module_params_exit(void)
{
	pr_info("module_params: unloaded\n");
}

module_init(module_params_init);
module_exit(module_params_exit);
MODULE_LICENSE("GPL");

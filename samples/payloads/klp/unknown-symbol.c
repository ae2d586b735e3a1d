/* A module that calls a function no kernel exports: the loader refuses it ("Unknown symbol"). */
#include <linux/module.h>

int no_such_kernel_function(void);

static int unknown_symbol_init(void)
{
	return no_such_kernel_function();
}

static void unknown_symbol_exit(void)
{
}

module_init(unknown_symbol_init);
module_exit(unknown_symbol_exit);
MODULE_LICENSE("GPL");

/*
 * What kbuild's modpost generates for the module: the module's name, its vermagic and the
 * struct module the loader fills in, pointing at the module's init and exit functions.
 */
#include <linux/module.h>
#include <linux/vermagic.h>

int init_module(void);
void cleanup_module(void);

MODULE_INFO(vermagic, VERMAGIC_STRING);
MODULE_INFO(name, KBUILD_MODNAME);
MODULE_INFO(depends, "");

__attribute__((section(".gnu.linkonce.this_module"), aligned(64))) struct module __this_module = {
	.name = KBUILD_MODNAME,
	.init = init_module,
	.exit = cleanup_module,
};

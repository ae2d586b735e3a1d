/*
 * Just enough of <linux/module.h> for a livepatch module: .modinfo tags, the init/exit entry
 * points under the names the module loader looks for, and THIS_MODULE.
 */
#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H

#include <linux/types.h>

#define MODULE_NAME_LEN 56

/* Defined by the module's .mod.c in .gnu.linkonce.this_module, as kbuild's modpost does. */
struct module {
	int state;
	char name[MODULE_NAME_LEN];
	int (*init)(void);
	void (*exit)(void);
};

extern struct module __this_module;
#define THIS_MODULE (&__this_module)

#define __PASTE_(a, b) a##b
#define __PASTE(a, b) __PASTE_(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

/* One "tag=value\0" string per call in .modinfo, which modinfo(8) and the loader read. */
#define MODULE_INFO(tag, info) \
	static const char __UNIQUE_ID(tag)[] __attribute__((used, section(".modinfo"), aligned(1))) = #tag "=" info

#define MODULE_LICENSE(_license) MODULE_INFO(license, _license)
#define MODULE_AUTHOR(_author) MODULE_INFO(author, _author)
#define MODULE_DESCRIPTION(_description) MODULE_INFO(description, _description)

#define module_init(initfn) int init_module(void) __attribute__((alias(#initfn)))
#define module_exit(exitfn) void cleanup_module(void) __attribute__((alias(#exitfn)))

#endif

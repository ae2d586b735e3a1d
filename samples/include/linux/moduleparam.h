/*
 * module_param() as <linux/moduleparam.h> lays it out: a struct kernel_param in the __param
 * section (the kernel's layout: name, mod, ops, perm, level, flags, arg) and parm/parmtype
 * strings in .modinfo. insmod's name=value arguments set the variable before init runs.
 */
#ifndef _LINUX_MODULEPARAM_H
#define _LINUX_MODULEPARAM_H

#include <linux/module.h>

struct kernel_param;

struct kernel_param_ops {
	unsigned int flags;
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buffer, const struct kernel_param *kp);
	void (*free)(void *arg);
};

struct kernel_param {
	const char *name;
	struct module *mod;
	const struct kernel_param_ops *ops;
	const u16 perm;
	s8 level;
	u8 flags;
	void *arg;
};

#define __param_ops(type) param_ops_##type

#define module_param(name, type, perm) \
	extern const struct kernel_param_ops __param_ops(type); \
	static const char __param_str_##name[] = #name; \
	static const struct kernel_param __param_##name __attribute__((used, section("__param"), aligned(sizeof(void *)))) = { \
		__param_str_##name, THIS_MODULE, &__param_ops(type), perm, -1, 0, &name \
	}; \
	MODULE_INFO(parmtype, #name ":" #type)

#define MODULE_PARM_DESC(_parm, desc) MODULE_INFO(parm, #_parm ":" desc)

#endif

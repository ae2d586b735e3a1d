/*
 * EXPORT_SYMBOL as the module loader sees it: a `__ksymtab_<sym>` entry in a ___ksymtab+<sym>
 * section. Only exported symbols of a module resolve other modules' references.
 */
#ifndef _LINUX_EXPORT_H
#define _LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym) \
	static void *const __ksymtab_##sym __attribute__((used, section("___ksymtab+" #sym))) = (void *)&sym
#define EXPORT_SYMBOL_GPL(sym) EXPORT_SYMBOL(sym)

#endif

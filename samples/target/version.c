/*
 * Mirrors xen/common/version.c: tiny traceable functions that Xen's test payloads replace
 * (xen_hello_world) or NOP out (xen_nop), so their sizes and first bytes matter.
 */
#include <xen/version.h>

#define XEN_VERSION 4
#define XEN_SUBVERSION 21
#define XEN_EXTRAVERSION "-unstable"

const char *xen_extra_version(void)
{
	return XEN_EXTRAVERSION;
}

unsigned int xen_major_version(void)
{
	return XEN_VERSION;
}

unsigned int xen_minor_version(void)
{
	return XEN_SUBVERSION;
}

/*
 * What the sample's NMI and #MC handlers (x86_traps.c) record. No good sample payload patches
 * it; the torn-write scenario's xen_trap_world does. Xen 4.17 has it too (the build's options).
 */
const char *xen_build_info(void)
{
	return "debug=n";
}

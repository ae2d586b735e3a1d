/* The replacement for xen_minor_version(): warns, then answers 77. */
#include <xen/bug.h>

unsigned int xen_warn_minor_version(void)
{
	WARN();
	return 77;
}

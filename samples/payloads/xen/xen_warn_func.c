/*
 * The replacement for xen_minor_version(): answers 77. No WARN here: Xen's register dump prints
 * its banner with xen_minor_version() (print_xen_info), so a WARN in this replacement warns
 * again inside its own report, until the stack overflows (a real Xen 4.17 double-faults).
 */
unsigned int xen_warn_minor_version(void)
{
	return 77;
}

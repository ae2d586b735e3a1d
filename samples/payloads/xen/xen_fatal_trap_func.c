/* The replacement for xen_minor_version(): never applied, the load hook panics the hypervisor first. */
unsigned int xen_fatal_trap_minor_version(void)
{
	return 66;
}

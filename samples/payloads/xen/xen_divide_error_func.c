/* The replacement for xen_minor_version(): never applied, the load hook panics the hypervisor first. */
unsigned int xen_divide_error_minor_version(void)
{
	return 65;
}

/* The replacement for xen_extra_version(), built into its own object like Xen's test payload. */
const char *xen_hello_world(void)
{
	return "Hello World";
}

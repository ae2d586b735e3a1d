/* The replacement xen_replace_world installs with the REPLACE action. */
const char *xen_replace_world(void)
{
	return "Hello Again Xen World!";
}

/* The replacement for xen_build_info(), built into its own object like Xen's test payloads. */
const char *xen_trap_world(void)
{
	return "debug=n, patched";
}

/* The replacement for xen_trap_banner(), built into its own object like Xen's test payloads. */
const char *xen_trap_world(void)
{
	return "new banner";
}

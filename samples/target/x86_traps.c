/*
 * Like Xen's do_nmi() and do_machine_check() (xen/arch/x86/traps.c, cpu/mcheck/mce.c): the
 * handlers the emulator's IDT delivers NMI and #MC to. Both end up in xen_build_info(), which
 * only the torn-write scenario's payload (xen_trap_world) patches, so an NMI or #MC in the middle
 * of that patch runs the function being written, and LP360 warns of it on that payload alone.
 * nmi_callback is what Xen's arch_livepatch_mask() replaces while it patches.
 */

#include <xen/version.h>

struct cpu_user_regs;

unsigned long nmi_count;
unsigned long mce_count;
const char *nmi_seen;
const char *mce_seen;

static int default_nmi_callback(const struct cpu_user_regs *regs, int cpu)
{
	nmi_seen = xen_build_info();
	return 0;
}

static int (*nmi_callback)(const struct cpu_user_regs *regs, int cpu) = default_nmi_callback;

void do_nmi(const struct cpu_user_regs *regs)
{
	nmi_count++;
	nmi_callback(regs, 0);
}

void do_machine_check(const struct cpu_user_regs *regs)
{
	mce_count++;
	mce_seen = xen_build_info();
}

/* Turns interrupts off and spins for ever: a CPU that never comes to the rendezvous. */
void spin_irqs_off(void)
{
	asm volatile("cli");
	for (;;)
		asm volatile("" ::: "memory");
}

/*
 * Like Xen's timer_interrupt(), call_function_interrupt() and do_int3() (xen/arch/x86/time.c,
 * smp.c, traps.c): where the emulator's IDT delivers a timer tick (`emu --timer N`), the
 * call-function IPI of the patching protocols (`emu --ipi`: Xen's rendezvous kick, each sync of
 * Linux's text_poke_bp) and an int3 that is no live patch's. Each counts what it took; beside
 * x86_traps.c's NMI and #MC handlers, in a file of their own.
 */

struct cpu_user_regs;

unsigned long timer_ticks;
unsigned long call_function_ipis;
unsigned long int3_count;

void timer_interrupt(const struct cpu_user_regs *regs)
{
	timer_ticks++;
}

void call_function_interrupt(const struct cpu_user_regs *regs)
{
	call_function_ipis++;
}

void do_int3(const struct cpu_user_regs *regs)
{
	int3_count++;
}

/* Executes an int3 of its own: returns how many int3s the handler has taken, this one included. */
unsigned long int3_selftest(void)
{
	asm volatile("int3" ::: "memory");
	return int3_count;
}

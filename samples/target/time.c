#include <linux/kernel.h>
#include <linux/sched.h>

#define NSEC_PER_JIFFY 4000000ULL

unsigned long volatile jiffies;

/* CONFIG_HZ, for the emulator's clock: jiffies per second of guest time. */
const unsigned int hz = 1000000000ULL / NSEC_PER_JIFFY;

/* Lives in .noinstr.text: entry code may call it before tracing is safe, so never trace it. */
__attribute__((section(".noinstr.text"), noinline, no_instrument_function)) u64 sched_clock_noinstr(void)
{
	return (u64)jiffies * NSEC_PER_JIFFY;
}

/* notrace like the kernel's: ftrace itself timestamps with it. */
__attribute__((no_instrument_function)) u64 sched_clock(void)
{
	u64 now = sched_clock_noinstr();

	return now + (u64)raw_smp_processor_id();
}

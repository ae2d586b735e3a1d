/*
 * The entry point (ELF e_entry): boots the sample kernel, runs three kernel threads to
 * completion through the scheduler, then reads the /proc files into log_buf.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#define WORKER_TICKS 3

const char saved_command_line[] = "console=ttyS0 root=/dev/vda1 ro livepatch.sample=1";

static const char *const worker_names[] = { "kworker/0:1", "kworker/0:2", "kworker/0:3" };

/* Each worker ticks, yields WORKER_TICKS times and exits with its own number. */
static int worker(void *data)
{
	long id = (long)data;
	int i;

	for (i = 0; i < WORKER_TICKS; i++) {
		scheduler_tick();
		printk("%s: tick %d\n", current->comm, i);
		schedule();
	}
	return (int)id;
}

/* Returns the number of context switches, so a run can be compared with a native one. */
__attribute__((section(".init.text"), cold)) long start_kernel(void)
{
	long id;

	printk("Command line: %s\n", saved_command_line);
	sched_init();
	proc_init();
	for (id = 1; id <= (long)ARRAY_SIZE(worker_names); id++)
		kthread_run(worker, (void *)id, worker_names[id - 1]);
	while (nr_running() > 1)
		schedule();
	printk("%s", proc_read("version"));
	printk("%s", proc_read("cmdline"));
	printk("%s", proc_read("meminfo"));
	return (long)nr_context_switches();
}

/*
 * A user process inside a system call: insmod in init_module(2) runs the module's init, rmmod
 * in delete_module(2) its exit. The call runs on a task of its own, so it may sleep (msleep in
 * an init function) while the rest of the kernel runs; the task then dies without do_exit's
 * message, as the process returns to user space. `cat` of a /proc file runs its read the same way.
 */
#include <linux/kernel.h>
#include <linux/sched.h>

struct syscall_call {
	long (*fn)(long a0, long a1, long a2, long a3, long a4, long a5);
	long args[6];
	long ret;
	int done;
};

int syscall_thread(void *data)
{
	struct syscall_call *call = data;

	call->ret = call->fn(call->args[0], call->args[1], call->args[2], call->args[3], call->args[4], call->args[5]);
	call->done = 1;
	do_task_dead();
}

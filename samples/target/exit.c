#include <linux/kernel.h>
#include <linux/sched.h>

/* Exit codes of every task that has gone through do_exit(), by pid (modulo the table, as pids outgrow it). */
long task_exit_codes[NR_TASKS + 1];

static void exit_notify(struct task_struct *tsk, long code)
{
	tsk->exit_code = (int)code;
	task_exit_codes[tsk->pid % (NR_TASKS + 1)] = code;
}

/* Calls update_curr() out of line: the same function scheduler_tick() has inlined. */
__attribute__((noreturn)) void do_exit(long code)
{
	struct task_struct *tsk = current;

	update_curr(this_rq());
	exit_notify(tsk, code);
	printk("%s[%d]: exit %ld after %llu ns\n", tsk->comm, tsk->pid, code, tsk->sum_exec_runtime);
	do_task_dead();
}

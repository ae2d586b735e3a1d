#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <linux/types.h>

#define TASK_RUNNING 0x0000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_DEAD 0x0080

#define TASK_COMM_LEN 16
#define THREAD_SIZE 8192
#define NR_TASKS 1024

/* Saved by __switch_to_asm: the stack pointer of a task that is not running. */
struct thread_struct {
	unsigned long sp;
};

/*
 * Shared by every file of the target and embedded in the per-task array: adding, removing or
 * reordering a member changes the offsets that already-compiled code uses.
 */
struct task_struct {
	volatile long state;
	int pid;
	int prio;
	unsigned int flags;
	int exit_code;
	u64 exec_start;
	u64 sum_exec_runtime;
	unsigned long nvcsw;
	struct task_struct *next_run;
	int (*threadfn)(void *data);
	void *data;
	struct thread_struct thread;
	char comm[TASK_COMM_LEN];
};

struct rq;

extern struct task_struct *current_task;
#define current current_task

void schedule(void);
void scheduler_tick(void);
void update_curr(struct rq *rq);
struct rq *this_rq(void);
void do_task_dead(void) __attribute__((noreturn));
void do_exit(long code) __attribute__((noreturn));
struct task_struct *kthread_run(int (*threadfn)(void *data), void *data, const char *name);
void sched_init(void);
unsigned int nr_running(void);
u64 nr_context_switches(void);
u64 sched_clock(void);
u64 sched_clock_noinstr(void);
int raw_smp_processor_id(void);

/*
 * switch_to.S: saves callee-saved registers on the old stack, then runs on the new one and
 * returns the task that was running before the switch that resumed us.
 */
struct task_struct *__switch_to_asm(unsigned long *prev_sp, unsigned long next_sp, struct task_struct *prev);
void schedule_tail(struct task_struct *prev);
void ret_from_fork_asm(void);

/* Kept apart from the states above so that lines other files' patches name stay where they are. */
#define TASK_UNINTERRUPTIBLE 0x0002

/* Makes a sleeping task runnable again (no-op for a running or dead one); returns whether it slept. */
int wake_up_process(struct task_struct *p);

#endif

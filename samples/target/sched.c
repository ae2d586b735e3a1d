/*
 * A single-CPU round-robin scheduler shaped like kernel/sched/core.c: __schedule() is notrace,
 * lives in .sched.text, and has its small helpers inlined into it, so changing any of them
 * means replacing __schedule itself, which every sleeping task has on its stack.
 */
#include <linux/kernel.h>
#include <linux/sched.h>

struct rq {
	unsigned int nr_running;
	u64 clock;
	u64 nr_switches;
	struct task_struct *curr;
	struct task_struct *idle;
};

static struct rq runqueue;

struct task_struct init_task = {
	.state = TASK_RUNNING,
	.pid = 0,
	.prio = 120,
	.comm = "swapper",
};

struct task_struct *current_task = &init_task;

/* Static data a patch may be tempted to resize or re-initialise. */
unsigned int sysctl_sched_latency = 6000000;
static struct task_struct task_pool[NR_TASKS];
__attribute__((aligned(16))) static unsigned long task_stacks[NR_TASKS][THREAD_SIZE / sizeof(unsigned long)];
static int last_pid;

struct rq *this_rq(void)
{
	return &runqueue;
}

unsigned int nr_running(void)
{
	return runqueue.nr_running;
}

u64 nr_context_switches(void)
{
	return runqueue.nr_switches;
}

/*
 * Inlined into scheduler_tick() by the compiler and also called out of line from do_exit():
 * patching only the out-of-line copy leaves the inlined one running the old code.
 */
void update_curr(struct rq *rq)
{
	struct task_struct *curr = rq->curr;
	u64 delta = rq->clock - curr->exec_start;

	curr->exec_start = rq->clock;
	curr->sum_exec_runtime += delta;
}

void scheduler_tick(void)
{
	struct rq *rq = this_rq();

	jiffies++;
	rq->clock = sched_clock();
	update_curr(rq);
}

static inline __attribute__((always_inline)) void update_rq_clock(struct rq *rq)
{
	rq->clock = sched_clock();
}

static inline __attribute__((always_inline)) void deactivate_task(struct rq *rq, struct task_struct *p)
{
	if (p != rq->idle)
		rq->nr_running--;
}

static inline __attribute__((always_inline)) void put_prev_task(struct rq *rq, struct task_struct *prev)
{
	prev->sum_exec_runtime += rq->clock - prev->exec_start;
}

/* Round robin: the next runnable task after prev on the ring, else the idle task. */
static inline __attribute__((always_inline)) struct task_struct *pick_next_task(struct rq *rq, struct task_struct *prev)
{
	struct task_struct *p = prev->next_run;

	while (p != prev) {
		if (p->state == TASK_RUNNING && p != rq->idle)
			return p;
		p = p->next_run;
	}
	if (prev->state == TASK_RUNNING)
		return prev;
	return rq->idle;
}

/* A dead task will never run again: its stack can be reused. */
static inline __attribute__((always_inline)) void finish_task_switch(struct task_struct *prev)
{
	if (unlikely(prev->state == TASK_DEAD))
		prev->thread.sp = 0;
}

/*
 * Returns on next's stack, possibly much later; the task that ran just before is "last",
 * which is not necessarily next (kernel switch_to(prev, next, last)).
 */
static inline __attribute__((always_inline)) void context_switch(struct rq *rq, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *last;

	rq->curr = next;
	current_task = next;
	next->exec_start = rq->clock;
	last = __switch_to_asm(&prev->thread.sp, next->thread.sp, prev);
	finish_task_switch(last);
}

__attribute__((section(".sched.text"), noinline, noclone, no_instrument_function)) static void __schedule(bool preempt)
{
	struct rq *rq = this_rq();
	struct task_struct *prev = rq->curr;
	struct task_struct *next;

	update_rq_clock(rq);
	if (!preempt && prev->state != TASK_RUNNING)
		deactivate_task(rq, prev);
	put_prev_task(rq, prev);
	next = pick_next_task(rq, prev);
	if (likely(prev != next)) {
		rq->nr_switches++;
		prev->nvcsw++;
		context_switch(rq, prev, next);
	}
}

/* The first code a new task runs, from ret_from_fork_asm, finishing the switch to it. */
void schedule_tail(struct task_struct *prev)
{
	finish_task_switch(prev);
}

__attribute__((section(".sched.text"))) void schedule(void)
{
	__schedule(false);
}

__attribute__((noreturn)) void do_task_dead(void)
{
	current->state = TASK_DEAD;
	__schedule(false);
	for (;;)
		barrier();
}

static void set_task_comm(struct task_struct *p, const char *name)
{
	unsigned int i;

	for (i = 0; i < TASK_COMM_LEN - 1 && name[i]; i++)
		p->comm[i] = name[i];
	p->comm[i] = '\0';
}

/* Slots of task_pool ever used; every one of them is on the run ring. */
static int nr_task_slots;

/*
 * The new task's stack is laid out as if it had called __switch_to_asm: six callee-saved
 * registers (rbx = threadfn, r12 = data) and then the return address ret_from_fork_asm.
 */
struct task_struct *kthread_run(int (*threadfn)(void *data), void *data, const char *name)
{
	struct rq *rq = this_rq();
	struct task_struct *p = NULL;
	unsigned long *sp;
	int slot;

	/* A dead task's slot and stack are free once it has switched away for good (finish_task_switch). */
	for (slot = 0; slot < nr_task_slots; slot++) {
		if (task_pool[slot].state == TASK_DEAD && !task_pool[slot].thread.sp) {
			p = &task_pool[slot];
			break;
		}
	}
	if (!p) {
		if (nr_task_slots >= NR_TASKS)
			return NULL;
		slot = nr_task_slots++;
		p = &task_pool[slot];
		p->next_run = init_task.next_run;
		init_task.next_run = p;
	}
	sp = &task_stacks[slot][THREAD_SIZE / sizeof(unsigned long)];
	p->pid = ++last_pid;
	p->prio = 120;
	p->state = TASK_RUNNING;
	p->exit_code = 0;
	p->exec_start = 0;
	p->sum_exec_runtime = 0;
	p->nvcsw = 0;
	p->threadfn = threadfn;
	p->data = data;
	set_task_comm(p, name);
	*--sp = (unsigned long)ret_from_fork_asm;
	*--sp = 0;
	*--sp = (unsigned long)threadfn;
	*--sp = (unsigned long)data;
	*--sp = 0;
	*--sp = 0;
	*--sp = 0;
	p->thread.sp = (unsigned long)sp;
	rq->nr_running++;
	return p;
}

__attribute__((section(".init.text"), cold)) void sched_init(void)
{
	struct rq *rq = this_rq();

	init_task.next_run = &init_task;
	rq->curr = &init_task;
	rq->idle = &init_task;
	rq->nr_running = 1;
	current_task = &init_task;
}

int wake_up_process(struct task_struct *p)
{
	if (p->state == TASK_RUNNING || p->state == TASK_DEAD)
		return 0;
	p->state = TASK_RUNNING;
	this_rq()->nr_running++;
	return 1;
}

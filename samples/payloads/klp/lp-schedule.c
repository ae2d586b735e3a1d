/*
 * A live patch of __schedule() (issue 10 §4, "__schedule and switch_to"). Its replacement does
 * the same scheduling but switches stacks inline, as x86-64's switch_to() did before 4.9: the
 * callee-saved registers are saved by this function's own prologue (all of them: the asm
 * clobbers them), %rsp goes into prev->thread.sp, and the resumed task continues here, in this
 * function's epilogue. A task put to sleep by the original __schedule saved its registers in
 * __switch_to_asm's order and returns through __switch_to_asm's `ret`: resumed by this one, it
 * gets them back in another order and returns with the wrong %rax, so the kernel faults in it.
 *
 * On the normal target __schedule is notrace (no __fentry__ call): the kernel refuses the patch
 * ("failed to find location for function '__schedule'"). It loads only on
 * build/target-traceable-schedule, where it shows what goes wrong.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/sched.h>

/* sched.c's struct rq, which no header has (a kpatch module copies it the same way). */
struct rq {
	unsigned int nr_running;
	u64 clock;
	u64 nr_switches;
	struct task_struct *curr;
	struct task_struct *idle;
};

static struct task_struct *pick_next(struct rq *rq, struct task_struct *prev)
{
	struct task_struct *p = prev->next_run;

	for (; p != prev; p = p->next_run)
		if (p->state == TASK_RUNNING && p != rq->idle)
			return p;
	return prev->state == TASK_RUNNING ? prev : rq->idle;
}

static void lp_schedule___schedule(bool preempt)
{
	struct rq *rq = this_rq();
	struct task_struct *prev = rq->curr;
	struct task_struct *next;

	rq->clock = sched_clock();
	if (!preempt && prev->state != TASK_RUNNING && prev != rq->idle)
		rq->nr_running--;
	prev->sum_exec_runtime += rq->clock - prev->exec_start;
	next = pick_next(rq, prev);
	if (next == prev)
		return;
	rq->nr_switches++;
	prev->nvcsw++;
	rq->curr = next;
	current_task = next;
	next->exec_start = rq->clock;
	/* switch_to(), inlined: the registers live in this frame, the task resumes below. */
	asm volatile("movq %%rsp, (%0)\n\tmovq %1, %%rsp"
		     :
		     : "r"(&prev->thread.sp), "r"(next->thread.sp)
		     : "memory", "rbx", "rbp", "r12", "r13", "r14", "r15");
}

static struct klp_func funcs[] = {
	{ .old_name = "__schedule", .new_func = lp_schedule___schedule },
	{ }
};

static struct klp_object objs[] = {
	{ .funcs = funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int lp_schedule_init(void)
{
	return klp_enable_patch(&patch);
}

static void lp_schedule_exit(void)
{
}

module_init(lp_schedule_init);
module_exit(lp_schedule_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

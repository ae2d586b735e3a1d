/*
 * The kworker threads of kernel/workqueue.c, reduced to one pool on one CPU: each takes the
 * oldest pending item, clears its PENDING bit and runs it, and sleeps when there is none. A
 * sleeping item (msleep in a work function) holds only its own kworker, as in the kernel, whose
 * pool keeps others for the rest. The emulator queues items and wakes an idle kworker.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

struct worker_pool cpu_worker_pool;

static const char *const kworker_names[NR_KWORKERS] = { "kworker/0:0", "kworker/0:1", "kworker/0:2", "kworker/0:3" };

static struct work_struct *next_work(struct worker_pool *pool)
{
	struct work_struct *work;

	if (list_empty(&pool->worklist))
		return NULL;
	work = work_of_entry(pool->worklist.next);
	list_del_init(&work->entry);
	work->data &= ~WORK_STRUCT_PENDING;
	return work;
}

static int worker_thread(void *data)
{
	struct worker_pool *pool = &cpu_worker_pool;
	long id = (long)data;
	struct work_struct *work;

	for (;;) {
		work = next_work(pool);
		if (!work) {
			current->state = TASK_INTERRUPTIBLE;
			schedule();
			continue;
		}
		pool->current_work[id] = work;
		work->func(work);
		pool->current_work[id] = NULL;
		if (pool->flush_waiter[id]) {
			wake_up_process(pool->flush_waiter[id]);
			pool->flush_waiter[id] = NULL;
		}
	}
	return 0;
}

/* Called by the emulator's boot, after start_kernel: the kworkers of a running kernel. */
void workqueue_init(void)
{
	long id;

	INIT_LIST_HEAD(&cpu_worker_pool.worklist);
	for (id = 0; id < NR_KWORKERS; id++)
		kthread_run(worker_thread, (void *)id, kworker_names[id]);
}

/* Out of line here (an inline in the kernel), so the target's DWARF describes delayed_work and timer_list for the emulator. */
struct delayed_work *to_delayed_work(struct work_struct *work)
{
	/* work is the first member. */
	return (struct delayed_work *)work;
}

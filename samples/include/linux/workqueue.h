/*
 * Work items with the layouts of Linux 6.1's <linux/workqueue.h> and <linux/timer.h>, so a
 * module built against the real headers queues work the sample kernel can run. Queueing is
 * done by the emulator (queue_work_on, queue_delayed_work_on, ...); the kworker threads that
 * run the items are the target's own (workqueue.c).
 */
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H

#include <linux/types.h>
#include <linux/list.h>

/* Bit 0 of work_struct.data: queued and not yet started (WORK_STRUCT_PENDING_BIT). */
#define WORK_STRUCT_PENDING 1UL
#define NR_KWORKERS 4

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	long data;
	struct list_head entry;
	work_func_t func;
};

struct timer_list {
	struct hlist_node entry;
	unsigned long expires;
	void (*function)(struct timer_list *timer);
	u32 flags;
};

struct workqueue_struct;

struct delayed_work {
	struct work_struct work;
	struct timer_list timer;
	struct workqueue_struct *wq;
	int cpu;
};

/* The pool of kworker threads of the one CPU: pending items in queue order, and who waits for one to finish. */
struct worker_pool {
	struct list_head worklist;
	struct work_struct *current_work[NR_KWORKERS];
	struct task_struct *flush_waiter[NR_KWORKERS];
};

extern struct worker_pool cpu_worker_pool;
void workqueue_init(void);
struct delayed_work *to_delayed_work(struct work_struct *work);

#endif

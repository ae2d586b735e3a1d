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

/* The work item whose `entry` this is (container_of, spelled out for the editor's C parser). */
#define work_of_entry(ptr) ((struct work_struct *)((char *)(ptr) - __builtin_offsetof(struct work_struct, entry)))

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

/* The module side, as <linux/workqueue.h> expands it: INIT_*, schedule_*, cancel_*. */
extern struct workqueue_struct *system_wq;
void delayed_work_timer_fn(struct timer_list *t);
void init_timer_key(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags, const char *name, void *key);
bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work);
bool queue_delayed_work_on(int cpu, struct workqueue_struct *wq, struct delayed_work *work, unsigned long delay);
bool cancel_delayed_work_sync(struct delayed_work *dwork);
bool cancel_work_sync(struct work_struct *work);
bool flush_work(struct work_struct *work);

#define WORK_CPU_UNBOUND 8192

#define INIT_WORK(_work, _func) \
	do { \
		(_work)->data = 0; \
		INIT_LIST_HEAD(&(_work)->entry); \
		(_work)->func = (_func); \
	} while (0)

#define INIT_DELAYED_WORK(_work, _func) \
	do { \
		INIT_WORK(&(_work)->work, (_func)); \
		init_timer_key(&(_work)->timer, delayed_work_timer_fn, 0, NULL, NULL); \
	} while (0)

#define schedule_work(work) queue_work_on(WORK_CPU_UNBOUND, system_wq, (work))
#define schedule_delayed_work(dwork, delay) queue_delayed_work_on(WORK_CPU_UNBOUND, system_wq, (dwork), (delay))
void workqueue_init(void);
struct delayed_work *to_delayed_work(struct work_struct *work);

#endif

/* struct completion in the layout of Linux 6.1 (done, then a simple wait queue head). */
#ifndef _LINUX_COMPLETION_H
#define _LINUX_COMPLETION_H

#include <linux/list.h>

struct completion {
	unsigned int done;
	struct {
		unsigned int lock;
		struct list_head task_list;
	} wait;
};

#define DECLARE_COMPLETION(work) struct completion work = { 0, { 0, { &(work).wait.task_list, &(work).wait.task_list } } }

void complete(struct completion *x);
void complete_all(struct completion *x);
void wait_for_completion(struct completion *x);
unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout);
int wait_for_completion_interruptible(struct completion *x);
bool try_wait_for_completion(struct completion *x);
bool completion_done(struct completion *x);

#endif

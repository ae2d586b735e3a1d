/* struct mutex in the layout of Linux 6.1 (the owner word first, 0 when unlocked). */
#ifndef _LINUX_MUTEX_H
#define _LINUX_MUTEX_H

#include <linux/list.h>

struct mutex {
	long owner;
	unsigned int wait_lock;
	unsigned int osq;
	struct list_head wait_list;
};

#define DEFINE_MUTEX(name) struct mutex name = { 0, 0, 0, { &(name).wait_list, &(name).wait_list } }

void mutex_lock(struct mutex *lock);
int mutex_lock_interruptible(struct mutex *lock);
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

#endif

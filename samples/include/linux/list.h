/* The kernel's intrusive lists, with the layouts of <linux/types.h> (modules built against the real headers share them). */
#ifndef _LINUX_LIST_H
#define _LINUX_LIST_H

#include <linux/types.h>

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

/* Macros, not inline functions: the target's inlining facts come from its own sources. */
#define INIT_LIST_HEAD(list) \
	do { \
		(list)->next = (list); \
		(list)->prev = (list); \
	} while (0)

#define list_empty(head) ((head)->next == (head))

#define list_del_init(entry) \
	do { \
		(entry)->next->prev = (entry)->prev; \
		(entry)->prev->next = (entry)->next; \
		INIT_LIST_HEAD(entry); \
	} while (0)

#endif

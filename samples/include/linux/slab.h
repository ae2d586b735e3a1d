/* The allocator entry points Linux 6.1's <linux/slab.h> calls (the emulator implements them). */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/types.h>

typedef unsigned int gfp_t;
#define GFP_KERNEL 0xcc0U
#define __GFP_ZERO 0x100U

void *__kmalloc(size_t size, gfp_t flags);
void kfree(const void *objp);

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return __kmalloc(size, flags);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return __kmalloc(size, flags | __GFP_ZERO);
}

#endif

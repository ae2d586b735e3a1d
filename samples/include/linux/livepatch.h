/*
 * The structures of <linux/livepatch.h> a livepatch module fills in. The fields a module sets
 * come first, as in the kernel; the kernel's own bookkeeping is reduced to the flags and sizes
 * (no kobjects or lists), so offsets past old_sympos differ from a real kernel's.
 */
#ifndef _LINUX_LIVEPATCH_H
#define _LINUX_LIVEPATCH_H

#include <linux/module.h>

/*
 * old_sympos: 0 means old_name must be unique in the object, n selects its n-th occurrence
 * in kallsyms order.
 */
struct klp_func {
	const char *old_name;
	void *new_func;
	unsigned long old_sympos;

	void *old_func;
	unsigned long old_size;
	unsigned long new_size;
	bool nop;
	bool patched;
	bool transition;
};

struct klp_object;

struct klp_callbacks {
	int (*pre_patch)(struct klp_object *obj);
	void (*post_patch)(struct klp_object *obj);
	void (*pre_unpatch)(struct klp_object *obj);
	void (*post_unpatch)(struct klp_object *obj);
	bool post_unpatch_enabled;
};

/* name NULL means vmlinux (here: the sample target); funcs ends with an all-zero entry. */
struct klp_object {
	const char *name;
	struct klp_func *funcs;
	struct klp_callbacks callbacks;

	struct module *mod;
	bool dynamic;
	bool patched;
};

struct klp_state {
	unsigned long id;
	unsigned int version;
	void *data;
};

struct klp_patch {
	struct module *mod;
	struct klp_object *objs;
	struct klp_state *states;
	bool replace;

	bool enabled;
	bool forced;
};

/* Provided by the kernel: resolves the functions, registers the patch, starts the transition. */
int klp_enable_patch(struct klp_patch *patch);

/* Shadow variables (kernel/livepatch/shadow.c): data attached to <obj, id>. */
typedef int (*klp_shadow_ctor_t)(void *obj, void *shadow_data, void *ctor_data);
typedef void (*klp_shadow_dtor_t)(void *obj, void *shadow_data);
void *klp_shadow_get(void *obj, unsigned long id);
void *klp_shadow_alloc(void *obj, unsigned long id, size_t size, unsigned int gfp_flags, klp_shadow_ctor_t ctor, void *ctor_data);
void *klp_shadow_get_or_alloc(void *obj, unsigned long id, size_t size, unsigned int gfp_flags, klp_shadow_ctor_t ctor, void *ctor_data);
void klp_shadow_free(void *obj, unsigned long id, klp_shadow_dtor_t dtor);
void klp_shadow_free_all(unsigned long id, klp_shadow_dtor_t dtor);

#endif

/*
 * Xen's xen/include/xen/livepatch_payload.h: the hook types and the macros that place hook
 * pointers in the sections the hypervisor looks for. load/unload sections are arrays; each of
 * the others must hold exactly one pointer.
 */
#ifndef _XEN_LIVEPATCH_PAYLOAD_H
#define _XEN_LIVEPATCH_PAYLOAD_H

#include <xen/livepatch.h>

struct payload;
typedef struct payload livepatch_payload_t;

typedef void livepatch_loadcall_t(void);
typedef void livepatch_unloadcall_t(void);
typedef int livepatch_precall_t(livepatch_payload_t *arg);
typedef void livepatch_postcall_t(livepatch_payload_t *arg);
typedef int livepatch_actioncall_t(livepatch_payload_t *arg);

#define LIVEPATCH_HOOK(type, fn, kind) \
	type *__attribute__((weak, used, section(".livepatch.hooks." #kind))) const livepatch_##kind##_data_##fn = fn

/* Run inside the quiesced zone with interrupts off, in file order. */
#define LIVEPATCH_LOAD_HOOK(fn) LIVEPATCH_HOOK(livepatch_loadcall_t, fn, load)
#define LIVEPATCH_UNLOAD_HOOK(fn) LIVEPATCH_HOOK(livepatch_unloadcall_t, fn, unload)

/* Vetoing hooks: a non-zero return aborts the action; their presence blocks REPLACE. */
#define LIVEPATCH_PREAPPLY_HOOK(fn) LIVEPATCH_HOOK(livepatch_precall_t, fn, preapply)
#define LIVEPATCH_POSTAPPLY_HOOK(fn) LIVEPATCH_HOOK(livepatch_postcall_t, fn, postapply)
#define LIVEPATCH_PREREVERT_HOOK(fn) LIVEPATCH_HOOK(livepatch_precall_t, fn, prerevert)
#define LIVEPATCH_POSTREVERT_HOOK(fn) LIVEPATCH_HOOK(livepatch_postcall_t, fn, postrevert)

/* Replace the hypervisor's own apply/revert of the payload's functions. */
#define LIVEPATCH_APPLY_HOOK(fn) LIVEPATCH_HOOK(livepatch_actioncall_t, fn, apply)
#define LIVEPATCH_REVERT_HOOK(fn) LIVEPATCH_HOOK(livepatch_actioncall_t, fn, revert)

#endif

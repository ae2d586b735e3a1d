/*
 * Xen's struct livepatch_func, payload version 2 (xen/include/public/sysctl.h, 2019 layout):
 * 104 bytes on x86-64, one per patched function, in the payload's .livepatch.funcs section.
 */
#ifndef _XEN_LIVEPATCH_H
#define _XEN_LIVEPATCH_H

#include <linux/types.h>

typedef u8 uint8_t;
typedef u32 uint32_t;

#define LIVEPATCH_PAYLOAD_VERSION 2
#define LIVEPATCH_OPAQUE_SIZE 31
#define LIVEPATCH_FUNC_NOT_APPLIED 0
#define LIVEPATCH_FUNC_APPLIED 1

/* The bytes the hypervisor must find at old_addr before it patches (when enabled). */
struct livepatch_expectation {
	uint8_t enabled : 1;
	uint8_t len : 5;
	uint8_t rsv : 2;
	uint8_t data[LIVEPATCH_OPAQUE_SIZE];
};
typedef struct livepatch_expectation livepatch_expectation_t;

/*
 * new_addr == 0 means: NOP out new_size bytes at old_addr. old_addr == 0 means: look name up
 * in the hypervisor's symbol table. opaque and applied belong to the hypervisor and must be 0.
 */
struct livepatch_func {
	const char *name;
	void *new_addr;
	void *old_addr;
	uint32_t new_size;
	uint32_t old_size;
	uint8_t version;
	uint8_t opaque[LIVEPATCH_OPAQUE_SIZE];
	uint8_t applied;
	uint8_t _pad[7];
	livepatch_expectation_t expect;
};

#endif

#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define offsetof(type, member) __builtin_offsetof(type, member)
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
/* One macro per type: a type as a macro argument is not C the editor's parser can read. */
#define va_arg_int(ap) __builtin_va_arg(ap, int)
#define va_arg_uint(ap) __builtin_va_arg(ap, unsigned int)
#define va_arg_ll(ap) __builtin_va_arg(ap, long long)
#define va_arg_ull(ap) __builtin_va_arg(ap, unsigned long long)
#define va_arg_ptr(ap) __builtin_va_arg(ap, void *)
#define va_end(ap) __builtin_va_end(ap)

/* Appends to log_buf; the emulator may also intercept calls to it. */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args);

extern char log_buf[];
extern size_t log_buf_len;
extern const char saved_command_line[];
extern unsigned long volatile jiffies;

#endif

/*
 * Only the macros that expand inside statements and expressions. Function and variable
 * attributes (__init, notrace, __sched, noinstr, __always_inline) are spelled out as
 * __attribute__((...)) in the sources, because the editor's C parser does not expand macros
 * and reads an unknown word between a type and a name as a syntax error.
 */
#ifndef _LINUX_COMPILER_H
#define _LINUX_COMPILER_H

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define barrier() __asm__ __volatile__("" : : : "memory")
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val) (*(volatile __typeof__(x) *)&(x) = (val))

#endif

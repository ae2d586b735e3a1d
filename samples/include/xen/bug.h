/*
 * Xen 4.17's x86 bug frames (xen/arch/x86/include/asm/bug.h): `ud2` at the site, and in
 * .bug_frames.<type> an 8-byte struct bug_frame of two words, each a 24-bit displacement from
 * the frame (to the ud2, to the file name) with 7 bits of the line number above it. An ASSERT's
 * frame has a second pair, `0, message - frame`. do_invalid_op() finds the frame whose ud2 is at
 * the faulting RIP in the virtual region the RIP is in (Xen's, or a payload's).
 */
#ifndef _XEN_BUG_H
#define _XEN_BUG_H

#define BUGFRAME_run_fn 0
#define BUGFRAME_warn 1
#define BUGFRAME_bug 2
#define BUGFRAME_assert 3

#define BUG_DISP_WIDTH 24
#define BUG_LINE_LO_WIDTH (31 - BUG_DISP_WIDTH)
#define BUG_LINE_HI_WIDTH (31 - BUG_DISP_WIDTH)

#define BUG_FRAME(type, line, ptr, second, msg)                                                         \
	asm volatile(".Lbug%=: ud2\n"                                                                    \
		     ".pushsection .bug_frames.%c[bf_type], \"a\", @progbits\n"                          \
		     ".p2align 2\n"                                                                      \
		     ".Lfrm%=:\n"                                                                        \
		     ".long (.Lbug%= - .Lfrm%=) + %c[bf_line_hi]\n"                                      \
		     ".long (%c[bf_ptr] - .Lfrm%=) + %c[bf_line_lo]\n"                                   \
		     ".if " #second "\n"                                                                 \
		     ".long 0, %c[bf_msg] - .Lfrm%=\n"                                                   \
		     ".endif\n"                                                                          \
		     ".popsection\n" ::[bf_type] "i"(type),                                              \
		     [bf_ptr] "i"(ptr), [bf_msg] "i"(msg),                                               \
		     [bf_line_lo] "i"(((line) & ((1 << BUG_LINE_LO_WIDTH) - 1)) << BUG_DISP_WIDTH),      \
		     [bf_line_hi] "i"(((line) >> BUG_LINE_LO_WIDTH) << BUG_DISP_WIDTH))

/* Xen's run_in_exception_handler(fn): do_invalid_op() calls fn(regs) at the ud2, then goes on after it. */
#define run_in_exception_handler(fn) BUG_FRAME(BUGFRAME_run_fn, 0, fn, 0, 0)

/* Xen prints `Xen WARN at <file>:<line>` and the registers, and goes on after the ud2. */
#define WARN() BUG_FRAME(BUGFRAME_warn, __LINE__, __FILE__, 0, 0)
/* `Xen BUG at <file>:<line>`, the registers, then a panic. */
#define BUG()                                                  \
	do {                                                   \
		BUG_FRAME(BUGFRAME_bug, __LINE__, __FILE__, 0, 0); \
		__builtin_unreachable();                       \
	} while (0)
#define ASSERT(p)                                                               \
	do {                                                                    \
		if (!(p)) {                                                     \
			BUG_FRAME(BUGFRAME_assert, __LINE__, __FILE__, 1, #p);  \
			__builtin_unreachable();                                \
		}                                                               \
	} while (0)

/* x86-64 struct cpu_user_regs (xen/include/public/arch-x86/xen-x86_64.h): what a run_fn handler is given. */
struct cpu_user_regs {
	unsigned long r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	unsigned int error_code, entry_vector;
	unsigned long rip;
	unsigned short cs, _pad0[1];
	unsigned char saved_upcall_mask, _pad1[3];
	unsigned long rflags, rsp;
	unsigned short ss, _pad2[3], es, _pad3[3], ds, _pad4[3], fs, _pad5[3], gs, _pad6[3];
};

#endif

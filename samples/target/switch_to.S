/*
 * switch_to for the sample kernel, as on x86-64 Linux: only the callee-saved registers and the
 * stack pointer are saved; the return address stays in the caller's frame (__schedule), so a
 * task resumes wherever the old __schedule called this.
 */
	.text
	.globl __switch_to_asm
	.type __switch_to_asm, @function
/*
 * struct task_struct *__switch_to_asm(unsigned long *prev_sp, unsigned long next_sp,
 *                                     struct task_struct *prev)
 * %rax carries prev across the switch: the resumed task learns who ran before it.
 */
__switch_to_asm:
	movq %rdx, %rax
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size __switch_to_asm, . - __switch_to_asm

/* First return of a new task: kthread_run left threadfn in %rbx and its argument in %r12. */
	.globl ret_from_fork_asm
	.type ret_from_fork_asm, @function
ret_from_fork_asm:
	movq %rax, %rdi
	call schedule_tail
	movq %r12, %rdi
	call *%rbx
	movslq %eax, %rdi
	call do_exit
	ud2
	.size ret_from_fork_asm, . - ret_from_fork_asm

	.section .note.GNU-stack, "", @progbits

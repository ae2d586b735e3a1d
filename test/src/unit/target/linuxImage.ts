/**
 * Assembly a tiny kernel-like image starts with: `__fentry__`, and Linux's `linux_banner`, by which
 * the index tells a vmlinux (target/flavour.ts). The functions come after it, in `.text`.
 */
export const linuxImagePrelude = `
  .section .rodata
  .globl linux_banner
  .type linux_banner,@object
linux_banner: .asciz "Linux version 6.1"
  .size linux_banner, .-linux_banner
  .text
  .globl __fentry__
  .type __fentry__,@function
__fentry__: ret
  .size __fentry__, .-__fentry__
`;

/*
 * Xen 4.17's exception table (xen/arch/x86/include/asm/asm_defns.h, _ASM_EXTABLE): in .ex_table,
 * 8-byte struct exception_table_entry of two displacements, each from itself, to the instruction
 * that may fault and to where execution goes on if it does (its fixup, usually in .fixup).
 * search_exception_table() looks the faulting RIP up in the virtual region it is in.
 */
#ifndef _XEN_EXTABLE_H
#define _XEN_EXTABLE_H

#define _ASM_EXTABLE(from, to)              \
	".pushsection .ex_table, \"a\"\n" \
	".balign 4\n"                       \
	".long " #from " - .\n"             \
	".long " #to " - .\n"               \
	".popsection\n"

#endif

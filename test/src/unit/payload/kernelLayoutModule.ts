import * as path from 'node:path';
import { run } from '../samples/binutils';
import { buildDir, linkRelocatable, writeSource } from './build';

/**
 * include/linux/livepatch.h of Linux 6.x, field for field (kobject and list_head spelled out
 * with their x86-64 sizes), so a module built from it has the real kernel's klp layout.
 */
export const kernelKlpHeader = `
struct list_head { struct list_head *next, *prev; };
struct kobject { const char *name; struct list_head entry; struct kobject *parent; void *kset; const void *ktype; void *sd; unsigned int kref; unsigned int state_bits; };
struct klp_func { const char *old_name; void *new_func; unsigned long old_sympos; void *old_func; struct kobject kobj; struct list_head node; struct list_head stack_node; unsigned long old_size, new_size; _Bool nop; _Bool patched; _Bool transition; };
struct klp_object;
struct klp_callbacks { int (*pre_patch)(struct klp_object *obj); void (*post_patch)(struct klp_object *obj); void (*pre_unpatch)(struct klp_object *obj); void (*post_unpatch)(struct klp_object *obj); _Bool post_unpatch_enabled; };
struct klp_object { const char *name; struct klp_func *funcs; struct klp_callbacks callbacks; struct kobject kobj; struct list_head func_list; struct list_head node; void *mod; _Bool dynamic; _Bool patched; };
struct klp_state { unsigned long id; unsigned int version; void *data; };
struct work_struct { long data; struct list_head entry; void *func; };
struct completion { unsigned int done; struct { int lock; struct list_head task_list; } wait; };
struct klp_patch { void *mod; struct klp_object *objs; struct klp_state *states; _Bool replace; struct list_head list; struct kobject kobj; struct list_head obj_list; _Bool enabled; _Bool forced; struct work_struct free_work; struct completion finish; };
int klp_enable_patch(struct klp_patch *);
`;

/** A livepatch module built against the kernel layout, without DWARF: two objects, a sympos, a callback, replace. */
export function buildKernelLayoutModule(): string {
  const source = writeSource(
    'kernel-layout-module.c',
    `${kernelKlpHeader}
static int new_cmdline(void) { return 1; }
static int new_meminfo(void) { return 2; }
static int new_ext4(void) { return 3; }
static int pre_patch_ext4(struct klp_object *obj) { return 0; }
static struct klp_func vmlinux_funcs[] = { { .old_name = "cmdline_proc_show", .new_func = new_cmdline }, { .old_name = "meminfo_proc_show", .new_func = new_meminfo, .old_sympos = 2 }, { } };
static struct klp_func ext4_funcs[] = { { .old_name = "ext4_attr_store", .new_func = new_ext4 }, { } };
static struct klp_object objs[] = { { .funcs = vmlinux_funcs }, { .name = "ext4", .funcs = ext4_funcs, .callbacks = { .pre_patch = pre_patch_ext4 } }, { } };
static struct klp_patch patch = { .objs = objs, .replace = 1 };
int init_module(void) { return klp_enable_patch(&patch); }
static const char modinfo[] __attribute__((section(".modinfo"), used)) = "livepatch=Y\\0name=kernel_layout";
`,
  );
  const object = path.join(buildDir, 'kernel-layout-module.o');
  run('gcc', ['-O2', '-mcmodel=kernel', '-fno-pic', '-mno-red-zone', '-ffunction-sections', '-fdata-sections', '-c', '-o', object, source]);
  return linkRelocatable('kernel-layout-module.ko', [object]);
}

/** offsetof/sizeof as gcc computes them for the kernel header: the oracle for our fallback layout. */
export function kernelLayoutFromGcc(): Record<string, number> {
  const fields = [
    'klp_func,old_name',
    'klp_func,new_func',
    'klp_func,old_sympos',
    'klp_object,name',
    'klp_object,funcs',
    'klp_object,callbacks',
    'klp_patch,objs',
    'klp_patch,states',
    'klp_patch,replace',
    'klp_callbacks,pre_patch',
    'klp_callbacks,post_patch',
    'klp_callbacks,pre_unpatch',
    'klp_callbacks,post_unpatch',
  ];
  const program = writeSource(
    'kernel-layout.c',
    `#include <stdio.h>
#include <stddef.h>
${kernelKlpHeader}
int main(void) {
  printf("klp_func %zu\\nklp_object %zu\\n", sizeof(struct klp_func), sizeof(struct klp_object));
  ${fields
    .map((f) => {
      const [s, m] = f.split(',');
      return `printf("${s}.${m} %zu\\n", offsetof(struct ${s}, ${m}));`;
    })
    .join('\n  ')}
  return 0;
}`,
  );
  const exe = path.join(buildDir, 'kernel-layout');
  run('gcc', ['-o', exe, program]);
  return Object.fromEntries(
    run(exe, [])
      .trim()
      .split('\n')
      .map((l) => {
        const [k, v] = l.split(' ');
        return [k, Number(v)];
      }),
  );
}

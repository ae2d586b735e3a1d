/**
 * What the bundled sample target exports to modules when it runs as the emulator's Linux kernel:
 * the kernel model's natives and data (allocators, printk, locks, timers, workqueues, the
 * livepatch core's API, the retpoline thunks, param_ops_*), which the sample's ELF does not
 * define and a real vmlinux exports. A module on the sample target is judged against these and
 * what the target defines; a test holds the list to the booted kernel model both ways.
 */
// prettier-ignore
const providedByTheKernelModel: ReadonlySet<string> = new Set([
  '__SCT__cond_resched', '__SCT__might_resched', '__cond_resched', '__flush_workqueue', '__init_swait_queue_head',
  '__init_work', '__kmalloc', '__kmalloc_node', '__list_add_valid', '__list_del_entry_valid', '__might_resched',
  '__might_sleep', '__mutex_init', '__stack_chk_fail', '__x86_indirect_thunk_r10', '__x86_indirect_thunk_r11',
  '__x86_indirect_thunk_r12', '__x86_indirect_thunk_r13', '__x86_indirect_thunk_r14', '__x86_indirect_thunk_r15',
  '__x86_indirect_thunk_r8', '__x86_indirect_thunk_r9', '__x86_indirect_thunk_rax', '__x86_indirect_thunk_rbp',
  '__x86_indirect_thunk_rbx', '__x86_indirect_thunk_rcx', '__x86_indirect_thunk_rdi', '__x86_indirect_thunk_rdx',
  '__x86_indirect_thunk_rsi', '__x86_return_thunk', '_printk', '_raw_spin_lock', '_raw_spin_lock_bh',
  '_raw_spin_lock_irq', '_raw_spin_lock_irqsave', '_raw_spin_trylock', '_raw_spin_unlock', '_raw_spin_unlock_bh',
  '_raw_spin_unlock_irq', '_raw_spin_unlock_irqrestore', 'add_timer', 'alloc_workqueue', 'cancel_delayed_work',
  'cancel_delayed_work_sync', 'cancel_work', 'cancel_work_sync', 'complete', 'complete_all', 'completion_done',
  'del_timer', 'del_timer_sync', 'delayed_work_timer_fn', 'destroy_workqueue', 'dump_stack', 'flush_delayed_work',
  'flush_work', 'flush_workqueue', 'init_timer_key', 'kfree', 'kfree_sensitive', 'klp_enable_patch',
  'klp_get_prev_state', 'klp_get_state', 'klp_shadow_alloc', 'klp_shadow_free', 'klp_shadow_free_all',
  'klp_shadow_get', 'klp_shadow_get_or_alloc', 'kmalloc', 'kmalloc_caches', 'kmalloc_large', 'kmalloc_node_trace',
  'kmalloc_trace', 'kmem_cache_alloc_trace', 'kmemdup', 'krealloc', 'ksize', 'kstrdup', 'kvfree', 'kzalloc',
  'memcmp', 'memcpy', 'memmove', 'memset', 'mod_delayed_work_on', 'mod_timer', 'module_put', 'msleep',
  'msleep_interruptible', 'mutex_is_locked', 'mutex_lock', 'mutex_lock_interruptible', 'mutex_lock_killable',
  'mutex_trylock', 'mutex_unlock', 'panic', 'param_ops_bool', 'param_ops_byte', 'param_ops_charp',
  'param_ops_hexint', 'param_ops_int', 'param_ops_invbool', 'param_ops_long', 'param_ops_short', 'param_ops_uint',
  'param_ops_ullong', 'param_ops_ulong', 'param_ops_ushort', 'queue_delayed_work_on', 'queue_work_on',
  'schedule_timeout', 'schedule_timeout_idle', 'schedule_timeout_interruptible', 'schedule_timeout_uninterruptible',
  'scnprintf', 'seq_write', 'snprintf', 'sprintf', 'strcmp', 'strcpy', 'strlen', 'strncmp', 'strnlen',
  'system_freezable_power_efficient_wq', 'system_freezable_wq', 'system_highpri_wq', 'system_long_wq',
  'system_power_efficient_wq', 'system_unbound_wq', 'system_wq', 'timer_delete', 'timer_delete_sync',
  'timer_pending', 'try_module_get', 'try_wait_for_completion', 'usleep_range_state', 'vfree', 'vmalloc', 'vzalloc',
  'wait_for_completion', 'wait_for_completion_interruptible', 'wait_for_completion_killable',
  'wait_for_completion_timeout',
]);

/** Whether the emulator's kernel on the sample target gives modules `name` though its ELF lacks it. */
export function sampleKernelExports(name: string): boolean {
  return providedByTheKernelModel.has(name);
}

/** The list itself, for the test that holds it to the kernel model. */
export const namesTheSampleKernelExports = (): string[] => [...providedByTheKernelModel];

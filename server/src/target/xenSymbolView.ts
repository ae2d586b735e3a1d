/**
 * Names the bundled sample target and the emulator's natives define that Xen 4.17 does not: the
 * sample target plays a Linux kernel too (ftrace's `__fentry__`, /proc, the scheduler, kthreads),
 * and a Xen payload built against it must be refused where it names them, as the real hypervisor
 * refuses `Unknown symbol: __fentry__`. Debian's xen-syms defines none of them (a test reads it with
 * nm), so for a real hypervisor image this view hides nothing. The emulator's
 * common_livepatch_apply/revert stay visible: they model a later Xen's action-hook API.
 */
// prettier-ignore
const notInXen: ReadonlySet<string> = new Set([
  // ftrace and the Linux-only sections and boundaries of the sample target's linker script
  '__fentry__', '__start_mcount_loc', '__stop_mcount_loc', '__noinstr_text_start', '__noinstr_text_end',
  '__sched_text_start', '__sched_text_end', '_text',
  // the sample target's kernel: scheduler, tasks, workqueues, /proc, time
  '__schedule', '__switch_to_asm', 'cmdline_proc_show', 'cpu_worker_pool', 'current_task', 'do_exit', 'do_task_dead', 'hz',
  'init_task', 'jiffies', 'kthread_run', 'last_pid', 'log_buf', 'log_buf_len', 'meminfo_proc_show', 'nr_buffer_pages',
  'nr_context_switches', 'nr_free_pages', 'nr_running', 'nr_task_slots', 'proc_create_single', 'proc_entries', 'proc_init',
  'proc_page', 'proc_read', 'put_number', 'raw_smp_processor_id', 'ret_from_fork_asm', 'runqueue', 'saved_command_line',
  'sched_clock', 'sched_clock_noinstr', 'sched_init', 'schedule_tail', 'scheduler_tick', 'seq_printf', 'seq_put_decimal_ull_width',
  'seq_putc', 'seq_puts', 'start_kernel', 'syscall_thread', 'sysctl_sched_latency', 'task_exit_codes', 'task_pool', 'task_stacks',
  'this_rq', 'to_delayed_work', 'totalram_pages', 'update_curr', 'version_proc_show', 'wake_up_process', 'worker', 'worker_thread',
  'workqueue_init',
  // the sample's NMI and #MC demo (x86_traps.c): its counters, callback and a CPU spinning with IRQs off
  'default_nmi_callback', 'mce_count', 'mce_seen', 'nmi_count', 'nmi_seen', 'spin_irqs_off',
  // the sample's timer, IPI and #BP handlers' counters and its int3 of its own (x86_vectors.c)
  'call_function_ipis', 'int3_count', 'int3_selftest', 'timer_ticks',
  // natives of the emulator that only Linux (or a C library) has
  '_printk', '__stack_chk_fail', 'sprintf', 'strcpy',
]);

/** Whether a Xen hypervisor may define `name` (false for the Linux-only names above). */
export function xenMayDefine(name: string): boolean {
  return !notInXen.has(name);
}

/** The list itself, for the test that holds it to xen-syms. */
export const namesNotInXen = (): string[] => [...notInXen];

import { GuestFault } from '../../faults';
import type { KernelServices } from '../kernelServices';
import { defineCall } from '../natives/define';
import { REAL_LINUX_DOCS } from './realLinux';

/**
 * __schedule() of a real vmlinux: its processes run to the end of their system call or work item
 * (RealProcesses), so a task that would sleep (msleep, wait_event, a contended mutex) stops with
 * a fault naming the function that slept, instead of running the real scheduler's code into the
 * run queues and context switch boot never set up.
 */
export function defineNoScheduler(kernel: KernelServices): void {
  defineCall(kernel, '__schedule', () => {
    const callers = kernel.machine.backtrace().map((frame) => frame.split(' ')[0]);
    const sleeper = callers.find((fn) => !/schedule/.test(fn)) ?? 'the caller';
    throw new GuestFault(
      'native-error',
      `${sleeper} sleeps (${callers.slice(0, callers.indexOf(sleeper) + 1).join(' <- ')}): the emulated vmlinux has no scheduler, its processes run to the end; this path needs a native for ${sleeper} or one of its callers (${REAL_LINUX_DOCS})`,
    );
  });
}

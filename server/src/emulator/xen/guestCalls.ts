import { guestCallBounds } from '../guestCallBounds';
import { Machine } from '../machine';
import { Task } from '../tasks';
import { XenConsole } from './console';
import { panic } from './panic';

/**
 * Runs payload code (hooks) in hypervisor context, on a task of its own. Its printk output joins
 * the console; a fault there is a fault in the hypervisor, which panics Xen, never the host.
 */
export class GuestCalls {
  private readonly task: Task;

  constructor(
    private readonly machine: Machine,
    private readonly console: XenConsole,
  ) {
    this.task = machine.createTask('xen-livepatch');
  }

  /** Calls a guest function; returns its `int` result. */
  call(address: bigint, args: bigint[]): number {
    const result = this.machine.call(address, args, { task: this.task, ...guestCallBounds });
    this.console.guest(result.output);
    if (result.status === 'returned') return Number(BigInt.asIntN(32, result.rax));
    const what = this.machine.describe(address);
    // Xen's own handler panicked (a BUG in the payload's code): its banner, nothing more.
    if (this.console.pendingPanic) panic(this.console, this.console.pendingPanic);
    if (result.fault) {
      for (const line of result.fault.report().split('\n')) this.console.printk(line);
      panic(this.console, `FATAL TRAP: ${result.fault.kind} in ${what}`);
    }
    panic(this.console, `${what} did not return (${result.stopReason ?? 'stopped'})`);
  }
}

import { guestCallBounds } from '../guestCallBounds';
import { CallResult, Machine } from '../machine';
import { Task } from '../tasks';

// Guest code Xen's exception handlers run while the trapped code waits (a
// run_in_exception_handler() function, the register dump's banner functions): each call runs on
// a task of its own, one per nesting level, and the trapped task's registers are back after it.

/** How deep handlers may call into code that traps again before the emulator calls it a loop. */
export const MAX_HANDLER_DEPTH = 4;

const pools = new WeakMap<Machine, Task[]>();

function pool(machine: Machine): Task[] {
  let tasks = pools.get(machine);
  if (!tasks) pools.set(machine, (tasks = []));
  return tasks;
}

/** Handler calls running now: the level the next one runs at. */
export function handlerDepth(machine: Machine): number {
  return pool(machine).filter((task) => task.state !== 'idle').length;
}

/** Calls `fn(args)` from inside a trap; undefined when handlers are already MAX_HANDLER_DEPTH deep. */
export function callFromHandler(machine: Machine, fn: bigint, args: bigint[]): CallResult | undefined {
  const tasks = pool(machine);
  const level = handlerDepth(machine);
  if (level >= MAX_HANDLER_DEPTH) return undefined;
  const task = (tasks[level] ??= machine.createTask(`exception handler ${level}`));
  const home = machine.currentTask;
  try {
    return machine.call(fn, args, { task, ...guestCallBounds });
  } finally {
    machine.switchTo(home);
  }
}

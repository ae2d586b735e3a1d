import assert from 'node:assert/strict';
import { LinuxKernel } from '../../../../../../server/out/emulator/klp/kernel';

/** Calls a module function in a process of its own (it may sleep); returns its result. */
export function callInProcess(kernel: LinuxKernel, fn: string, ...args: bigint[]): bigint {
  const result = kernel.syscall('test', kernel.machine.resolve(fn), args);
  assert.equal(result.status, 'returned', result.status === 'failed' ? result.message : '');
  return result.status === 'returned' ? result.value : 0n;
}

/** Calls a function on the idle task (atomic context); asserts it returned. */
export function callAtomic(kernel: LinuxKernel, fn: string, ...args: bigint[]): bigint {
  const result = kernel.callAtomic(fn, args);
  assert.equal(result.status, 'returned', result.fault?.report());
  return result.rax;
}

export const signed = (value: bigint): bigint => BigInt.asIntN(64, value);

import { Memory } from '../memory';
import { XenConsole } from './console';
import { fstateApplied, fstateField, LIVEPATCH_FUNC_APPLIED, LIVEPATCH_FUNC_NOT_APPLIED, readGuestFunc } from './guestLayout';
import { archApply, archRevert } from './x86Patch';

// common_livepatch_apply()/common_livepatch_revert(): the per-function state makes a double
// apply, or a revert of what was never applied, a logged no-op instead of corrupted code.

export function commonApply(memory: Memory, console: XenConsole, func: bigint, fstate: bigint): void {
  if (fstateApplied(memory, fstate) === LIVEPATCH_FUNC_APPLIED) {
    console.printk(`livepatch: common_livepatch_apply: ${readGuestFunc(memory, func).name} has been already applied before`);
    return;
  }
  archApply(memory, func, fstate);
  memory.writeU32(fstate + fstateField.applied, LIVEPATCH_FUNC_APPLIED);
}

export function commonRevert(memory: Memory, console: XenConsole, func: bigint, fstate: bigint): void {
  const guestFunc = readGuestFunc(memory, func);
  if (!guestFunc.oldAddr || fstateApplied(memory, fstate) === LIVEPATCH_FUNC_NOT_APPLIED) {
    console.printk(`livepatch: common_livepatch_revert: ${guestFunc.name} has not been applied before`);
    return;
  }
  archRevert(memory, func, fstate);
  memory.writeU32(fstate + fstateField.applied, LIVEPATCH_FUNC_NOT_APPLIED);
}

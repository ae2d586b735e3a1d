import { HookKind } from '../../payload';
import { LIVEPATCH_STATE_APPLIED, LIVEPATCH_STATE_CHECKED } from './abi';
import { fstateApplied, LIVEPATCH_FUNC_APPLIED, LIVEPATCH_FUNC_NOT_APPLIED, readGuestFunc } from './guestLayout';
import { Hypervisor } from './hypervisor';
import { panic } from './panic';
import { fstateOf, LoadedPayload, singleHook } from './payloadRecord';
import { writePayloadStruct } from './payloadStruct';
import { commonApply, commonRevert } from './patchFunctions';

// What runs inside the quiesced zone: apply_payload()/revert_payload() or the payload's own
// action hook, then was_action_consistent(), whose failure is a hypervisor panic.

/** Calls a payload hook with its `struct payload *` (brought up to date first). */
export function callHook(h: Hypervisor, p: LoadedPayload, address: bigint): number {
  writePayloadStruct(h.machine.memory, p);
  return h.guest.call(address, [p.struct]);
}

function runArrayHooks(h: Hypervisor, p: LoadedPayload, kind: HookKind): void {
  for (const address of p.hooks[kind] ?? []) h.guest.call(address, []);
}

function applyPayload(h: Hypervisor, p: LoadedPayload): number {
  h.console.printk(`livepatch: ${p.name}: Applying ${p.funcs.length} functions`);
  runArrayHooks(h, p, 'load');
  p.funcs.forEach((func, i) => commonApply(h.machine.memory, h.console, func, fstateOf(p, i)));
  displayMetadata(h, p);
  return 0;
}

function revertPayload(h: Hypervisor, p: LoadedPayload): number {
  h.console.printk(`livepatch: ${p.name}: Reverting`);
  p.funcs.forEach((func, i) => commonRevert(h.machine.memory, h.console, func, fstateOf(p, i)));
  runArrayHooks(h, p, 'unload');
  return 0;
}

function displayMetadata(h: Hypervisor, p: LoadedPayload): void {
  if (!p.metadata.length) return;
  h.console.printk('livepatch: module metadata:');
  for (let at = 0; at < p.metadata.length; ) {
    const end = p.metadata.indexOf(0, at);
    const stop = end < 0 ? p.metadata.length : end;
    h.console.printk(`livepatch:   ${p.metadata.toString('latin1', at, stop)}`);
    at = stop + 1;
  }
}

/** Every function in the state the action's outcome implies, or the payload is half patched. */
function wasActionConsistent(h: Hypervisor, p: LoadedPayload, expected: number): boolean {
  for (const [i, func] of p.funcs.entries()) {
    if (fstateApplied(h.machine.memory, fstateOf(p, i)) === expected) continue;
    h.console.printk(`livepatch: ${p.name}: Payload has a function: '${readGuestFunc(h.machine.memory, func).name || 'noname'}' with inconsistent applied state.`);
    return false;
  }
  return true;
}

/** Apply by action hook or by default; returns rc; the payload joins the applied stack on success. */
export function doApply(h: Hypervisor, p: LoadedPayload): number {
  const hook = singleHook(p, 'apply');
  if (hook) h.console.printk(`livepatch: ${p.name}: Calling apply action hook function`);
  const rc = hook ? callHook(h, p, hook) : applyPayload(h, p);
  if (!wasActionConsistent(h, p, rc ? LIVEPATCH_FUNC_NOT_APPLIED : LIVEPATCH_FUNC_APPLIED)) panic(h.console, `livepatch: partially applied payload '${p.name}'!`);
  if (rc === 0) {
    h.applied.push(p);
    p.state = LIVEPATCH_STATE_APPLIED;
  }
  return rc;
}

export function doRevert(h: Hypervisor, p: LoadedPayload): number {
  const hook = singleHook(p, 'revert');
  if (hook) h.console.printk(`livepatch: ${p.name}: Calling revert action hook function`);
  const rc = hook ? callHook(h, p, hook) : revertPayload(h, p);
  if (!wasActionConsistent(h, p, rc ? LIVEPATCH_FUNC_APPLIED : LIVEPATCH_FUNC_NOT_APPLIED)) panic(h.console, `livepatch: partially reverted payload '${p.name}'!`);
  if (rc === 0) {
    h.applied.splice(h.applied.indexOf(p), 1);
    p.reverted = true;
    p.state = LIVEPATCH_STATE_CHECKED;
  }
  return rc;
}

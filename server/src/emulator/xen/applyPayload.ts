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
  for (let at = 0; at < p.metadata.length;) {
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

/** What differs between the two directions of an action; the steps (Xen's apply_payload / revert_payload tails) are one. */
const directions = {
  apply: {
    done: LIVEPATCH_FUNC_APPLIED,
    undone: LIVEPATCH_FUNC_NOT_APPLIED,
    byDefault: applyPayload,
    partially: 'applied',
    succeed(h: Hypervisor, p: LoadedPayload): void {
      h.applied.push(p);
      p.state = LIVEPATCH_STATE_APPLIED;
    },
  },
  revert: {
    done: LIVEPATCH_FUNC_NOT_APPLIED,
    undone: LIVEPATCH_FUNC_APPLIED,
    byDefault: revertPayload,
    partially: 'reverted',
    succeed(h: Hypervisor, p: LoadedPayload): void {
      h.applied.splice(h.applied.indexOf(p), 1);
      p.reverted = true;
      p.state = LIVEPATCH_STATE_CHECKED;
    },
  },
};

/** Runs an action by its action hook or by default; every function must end in one state, else Xen panics; returns rc. */
function doAction(h: Hypervisor, p: LoadedPayload, kind: keyof typeof directions): number {
  const direction = directions[kind];
  const hook = singleHook(p, kind);
  if (hook) h.console.printk(`livepatch: ${p.name}: Calling ${kind} action hook function`);
  const rc = hook ? callHook(h, p, hook) : direction.byDefault(h, p);
  if (!wasActionConsistent(h, p, rc ? direction.undone : direction.done)) panic(h.console, `livepatch: partially ${direction.partially} payload '${p.name}'!`);
  if (rc === 0) direction.succeed(h, p);
  return rc;
}

/** Apply by action hook or by default; the payload joins the applied stack on success. */
export const doApply = (h: Hypervisor, p: LoadedPayload): number => doAction(h, p, 'apply');

/** Revert by action hook or by default; the payload leaves the applied stack on success. */
export const doRevert = (h: Hypervisor, p: LoadedPayload): number => doAction(h, p, 'revert');

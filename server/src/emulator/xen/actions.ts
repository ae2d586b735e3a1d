import { defaultTimeoutNs, LIVEPATCH_STATE_APPLIED, LIVEPATCH_STATE_CHECKED, LivepatchAction } from './abi';
import { callHook } from './applyPayload';
import { checkBuildIdDependency } from './dependencies';
import { errno } from '../errno';
import { checkExpectations } from './expectations';
import { Hypervisor } from './hypervisor';
import { hasVetoingHooks, LoadedPayload, singleHook } from './payloadRecord';

export interface ActionOptions {
  /** Quiesce timeout in ns; 0 or absent: 30 ms. */
  timeoutNs?: number;
  /** LIVEPATCH_ACTION_APPLY_NODEPS: apply without checking `.livepatch.depends`. */
  nodeps?: boolean;
}

/**
 * livepatch_action(): the checks made at once (state, stack top, dependencies, expectations,
 * pre hooks); APPLY, REVERT and REPLACE then only schedule work (rc -EAGAIN) that the idle
 * loop carries out. Returns the hypercall's result: 0 or -errno.
 */
export function livepatchAction(h: Hypervisor, name: string, action: LivepatchAction, options: ActionOptions = {}): number {
  const p = h.payloads.find((x) => x.name === name);
  if (!p) return -errno('ENOENT');
  if (h.work?.payload === p) return -errno('EBUSY');
  switch (action) {
    case 'unload':
      return unload(h, p);
    case 'revert':
      return revert(h, p, options);
    case 'apply':
      return apply(h, p, options);
    case 'replace':
      return replace(h, p, options);
  }
}

function unload(h: Hypervisor, p: LoadedPayload): number {
  if (p.state !== LIVEPATCH_STATE_CHECKED) return -errno('EINVAL');
  h.payloads.splice(h.payloads.indexOf(p), 1);
  h.version++;
  // Freed hypervisor memory: anything still pointing into the payload faults, and its symbols are gone.
  h.machine.unloadObject(p.image);
  return 0;
}

function revert(h: Hypervisor, p: LoadedPayload, options: ActionOptions): number {
  if (p.state !== LIVEPATCH_STATE_APPLIED) return -errno('EINVAL');
  const top = h.applied[h.applied.length - 1];
  if (top !== p) {
    h.console.printk(`livepatch: ${p.name}: can't unload. Top is ${top.name}`);
    return -errno('EBUSY');
  }
  const veto = runPreHook(h, p, 'prerevert', 'pre-revert');
  return veto || schedule(h, p, 'revert', options);
}

function apply(h: Hypervisor, p: LoadedPayload, options: ActionOptions): number {
  if (p.state !== LIVEPATCH_STATE_CHECKED) return -errno('EINVAL');
  if (p.reverted && !p.safeToReapply) {
    // Xen records the refusal in the payload's status and returns 0 from the hypercall.
    h.console.printk(`livepatch: ${p.name}: can't revert as payload has .data. Please unload`);
    p.rc = -errno('EINVAL');
    return 0;
  }
  if (!options.nodeps && !checkBuildIdDependency(h, p, h.applied.length === 0)) return -errno('EINVAL');
  const rc = checkExpectations(h, p);
  if (rc) return rc;
  const veto = runPreHook(h, p, 'preapply', 'pre-apply');
  return veto || schedule(h, p, 'apply', options);
}

function replace(h: Hypervisor, p: LoadedPayload, options: ActionOptions): number {
  if (p.state !== LIVEPATCH_STATE_CHECKED) return -errno('EINVAL');
  if (!checkBuildIdDependency(h, p, true)) return -errno('EINVAL');
  if (hasVetoingHooks(p) || h.applied.some(hasVetoingHooks)) {
    h.console.printk(`livepatch: ${p.name}: REPLACE action is not supported on livepatches with vetoing hooks!`);
    return -errno('EOPNOTSUPP');
  }
  return schedule(h, p, 'replace', options);
}

/** A pre-apply/pre-revert hook may veto: its non-zero result is the action's. */
function runPreHook(h: Hypervisor, p: LoadedPayload, kind: 'preapply' | 'prerevert', label: string): number {
  const hook = singleHook(p, kind);
  if (!hook) return 0;
  h.console.printk(`livepatch: ${p.name}: Calling ${label} hook function`);
  const rc = callHook(h, p, hook);
  if (rc) {
    h.console.printk(`livepatch: ${p.name}: ${label} hook failed (rc=${rc}), aborting!`);
    p.rc = rc;
  }
  return rc;
}

/** schedule_work(): one action at a time. */
function schedule(h: Hypervisor, p: LoadedPayload, action: 'apply' | 'revert' | 'replace', options: ActionOptions): number {
  if (h.work) return -errno('EBUSY');
  p.rc = -errno('EAGAIN');
  h.work = { payload: p, action, timeoutNs: options.timeoutNs || defaultTimeoutNs };
  return 0;
}

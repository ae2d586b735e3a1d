import { actionName } from './abi';
import { callHook, doApply, doRevert } from './applyPayload';
import { errno } from '../errno';
import { checkExpectations } from './expectations';
import { Hypervisor, PendingWork } from './hypervisor';
import { singleHook } from './payloadRecord';

/**
 * check_for_livepatch_work(), as the idle loop runs it: rendezvous of every CPU within the
 * action's timeout, the action with interrupts off, then the post hooks and the summary line.
 * Throws XenPanic when the hypervisor dies on the way.
 */
export function checkForLivepatchWork(h: Hypervisor): void {
  const work = h.work;
  if (!work) return;
  const p = work.payload;
  const smp = h.machine.patching;
  const stuck = smp?.quiesce(work.timeoutNs) ?? new Set<number>();
  const others = Math.max(h.rendezvousNs.length, smp?.cpus ?? 0) - 1;
  let arrived = 0;
  for (let cpu = 1; cpu <= others; cpu++) if ((h.rendezvousNs[cpu] ?? 0) <= work.timeoutNs && !stuck.has(cpu)) arrived++;
  let done = false;
  try {
    if (arrived < others) {
      h.console.printk(`livepatch: ${p.name}: Timed out on semaphore in CPU quiesce phase ${arrived}/${others}`);
      p.rc = -errno('EBUSY');
    } else {
      h.irqsOff = true;
      p.rc = doAction(h, work);
      done = true;
    }
  } finally {
    h.irqsOff = false;
    h.work = undefined;
    smp?.release();
  }
  const post = done && work.action !== 'replace' ? singleHook(p, work.action === 'apply' ? 'postapply' : 'postrevert') : undefined;
  if (post) {
    h.console.printk(`livepatch: ${p.name}: Calling post-${work.action} hook function with rc=${p.rc}`);
    callHook(h, p, post);
  }
  h.console.printk(`livepatch: ${p.name} finished ${actionName[work.action]} with rc=${p.rc}`);
}

function doAction(h: Hypervisor, work: PendingWork): number {
  const p = work.payload;
  if (work.action === 'apply') return doApply(h, p);
  if (work.action === 'revert') return doRevert(h, p);
  for (const other of [...h.applied].reverse()) {
    other.rc = doRevert(h, other);
    if (other.rc) return -errno('EINVAL');
  }
  const rc = checkExpectations(h, p);
  if (rc) {
    h.console.printk(`livepatch: ${p.name}: SYSTEM MIGHT BE INSECURE: Replace action has been aborted after reverting ALL payloads!`);
    return rc;
  }
  return doApply(h, p);
}

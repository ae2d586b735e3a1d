import { Hypervisor } from './hypervisor';
import { LoadedPayload } from './payloadRecord';

/**
 * build_id_dep(): a payload applies on top of the hypervisor when nothing is applied (or for
 * REPLACE), otherwise on top of the last applied payload; returns 0 or -EINVAL after printk.
 */
export function checkBuildIdDependency(h: Hypervisor, payload: LoadedPayload, againstHypervisor: boolean): boolean {
  const top = h.applied[h.applied.length - 1];
  const [expected, what] = againstHypervisor || !top ? [h.buildId, 'hypervisor'] : [top.buildId, top.name];
  if (payload.depends === expected) return true;
  h.console.printk(`livepatch: ${payload.name}: check against ${what} build-id failed`);
  return false;
}

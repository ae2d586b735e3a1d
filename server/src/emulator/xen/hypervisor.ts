import { Machine } from '../machine';
import { LivepatchAction } from './abi';
import { XenConsole } from './console';
import { GuestCalls } from './guestCalls';
import { LoadedPayload } from './payloadRecord';

/** The one outstanding patching action (`struct livepatch_work`). */
export interface PendingWork {
  payload: LoadedPayload;
  action: Exclude<LivepatchAction, 'unload'>;
  timeoutNs: number;
}

/** Everything xen/common/livepatch.c keeps, for the parts of the runtime to share. */
export interface Hypervisor {
  readonly machine: Machine;
  readonly console: XenConsole;
  readonly guest: GuestCalls;
  /** The running hypervisor's build-id (the target's `.note.gnu.build-id`), lowercase hex. */
  readonly buildId: string;
  /** Symbols of the hypervisor image itself, first definition of each name. */
  readonly xenSymbols: ReadonlyMap<string, bigint>;
  /** `payload_list`, in upload order. */
  readonly payloads: LoadedPayload[];
  /** `applied_list`: the build-id stack, bottom first. */
  readonly applied: LoadedPayload[];
  work: PendingWork | undefined;
  /** `payload_version`: bumped by every upload and unload, so `list` readers see changes. */
  version: number;
  /**
   * Nanoseconds each CPU takes to reach the quiesce rendezvous, CPU 0 (the one running the
   * action) first; Infinity for a CPU that never gets there (stuck with interrupts off).
   */
  readonly rendezvousNs: number[];
  /** local_irq_save() of check_for_livepatch_work(): the action, its load and unload hooks too, runs with interrupts off. */
  irqsOff: boolean;
}

/** A symbol of the hypervisor, else a new symbol of a loaded payload (symbols_lookup_by_name order). */
export function lookupSymbol(h: Hypervisor, name: string): bigint | undefined {
  const own = h.xenSymbols.get(name);
  if (own !== undefined) return own;
  for (const payload of h.payloads) {
    const value = payload.newSymbols.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}

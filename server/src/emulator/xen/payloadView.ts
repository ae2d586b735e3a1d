import { HookKind } from '../../payload';
import { PayloadState, stateName } from './abi';
import { fstateApplied, LIVEPATCH_FUNC_APPLIED, readGuestFunc } from './guestLayout';
import { Hypervisor } from './hypervisor';
import { fstateOf, LoadedPayload } from './payloadRecord';

export interface FuncView {
  name: string;
  oldAddr: bigint;
  /** 0 for a NOP-out. */
  newAddr: bigint;
  oldSize: number;
  newSize: number;
  /** The hypervisor's per-function state (fstate.applied). */
  applied: boolean;
}

/** What the editor and the CLI show of one payload. */
export interface XenPayloadView {
  name: string;
  state: PayloadState;
  stateName: string;
  rc: number;
  /** Position in the applied stack, 0 at the bottom; undefined when not applied. */
  stackIndex?: number;
  reverted: boolean;
  safeToReapply: boolean;
  textAddress: bigint;
  funcs: FuncView[];
  hooks: HookKind[];
  buildId: string;
  depends: string;
  xenDepends: string;
  /** `.modinfo` strings, as `xen-livepatch list` shows them. */
  metadata: string[];
}

export function viewPayload(h: Hypervisor, p: LoadedPayload): XenPayloadView {
  const memory = h.machine.memory;
  const index = h.applied.indexOf(p);
  return {
    name: p.name,
    state: p.state,
    stateName: stateName(p.state),
    rc: p.rc,
    ...(index >= 0 ? { stackIndex: index } : {}),
    reverted: p.reverted,
    safeToReapply: p.safeToReapply,
    textAddress: p.text.address,
    funcs: p.funcs.map((address, i) => {
      const f = readGuestFunc(memory, address);
      return {
        name: f.name,
        oldAddr: f.oldAddr,
        newAddr: f.newAddr,
        oldSize: f.oldSize,
        newSize: f.newSize,
        applied: fstateApplied(memory, fstateOf(p, i)) === LIVEPATCH_FUNC_APPLIED,
      };
    }),
    hooks: (Object.keys(p.hooks) as HookKind[]).filter((kind) => p.hooks[kind]!.some((pointer) => pointer !== 0n)),
    buildId: p.buildId,
    depends: p.depends,
    xenDepends: p.xenDepends,
    metadata: p.metadata
      .toString('latin1')
      .split('\0')
      .filter((s) => s.length > 0),
  };
}

import { HookKind } from '../../payload';
import { LoadedImage } from '../loader';
import { PayloadState } from './abi';
import { fstateSize } from './guestLayout';
import { VirtualRegion } from './virtualRegion';

export interface GuestRegion {
  address: bigint;
  size: bigint;
}

/** The hypervisor's `struct payload` for one uploaded payload (host side; mirrored in guest memory). */
export interface LoadedPayload {
  name: string;
  state: PayloadState;
  /** 0, -EAGAIN while an action is pending, or the last action's error. */
  rc: number;
  reverted: boolean;
  /** No writable data besides `.livepatch.funcs`: applying again after a revert is safe. */
  safeToReapply: boolean;
  image: LoadedImage;
  text: GuestRegion;
  rw: GuestRegion;
  ro: GuestRegion;
  pages: number;
  /** Guest address of the emulated `struct payload` handed to hooks. */
  struct: bigint;
  /** Guest addresses of the `.livepatch.funcs` entries. */
  funcs: bigint[];
  /** Guest address of the `struct livepatch_fstate` array, one per function. */
  fstate: bigint;
  /** Function pointers read from each `.livepatch.hooks.*` section (0 entries stay: Xen skips them). */
  hooks: Partial<Record<HookKind, bigint[]>>;
  buildId: string;
  depends: string;
  xenDepends: string;
  /** `.modinfo` as loaded. */
  metadata: Buffer;
  /** Its text, bug frames and exception table, registered from upload to unload. */
  region: VirtualRegion;
  /** Symbols other than replacements, which later payloads may resolve `old_addr` names against. */
  newSymbols: Map<string, bigint>;
}

export const fstateOf = (payload: LoadedPayload, index: number): bigint => payload.fstate + BigInt(index) * fstateSize;

/** `is_hook_enabled()`: the section exists and its pointer is not NULL. */
export function singleHook(payload: LoadedPayload, kind: HookKind): bigint | undefined {
  const pointer = payload.hooks[kind]?.[0];
  return pointer ? pointer : undefined;
}

/** Any pre/post apply/revert hook: such a payload can neither REPLACE nor be replaced. */
export const hasVetoingHooks = (payload: LoadedPayload): boolean =>
  (['preapply', 'postapply', 'prerevert', 'postrevert'] as const).some((kind) => singleHook(payload, kind) !== undefined);

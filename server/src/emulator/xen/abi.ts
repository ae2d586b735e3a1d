// The XEN_SYSCTL_livepatch_op interface (xen/include/public/sysctl.h): states, actions, flags
// and limits, with the numbers the hypercall uses, so the emulator's API speaks them too.

import { livepatchMaxSize } from '../../payload';

export const LIVEPATCH_STATE_CHECKED = 1;
export const LIVEPATCH_STATE_APPLIED = 2;
export type PayloadState = typeof LIVEPATCH_STATE_CHECKED | typeof LIVEPATCH_STATE_APPLIED;

export const actionCommands = { unload: 1, revert: 2, apply: 3, replace: 4 } as const;
export type LivepatchAction = keyof typeof actionCommands;

/** XEN_LIVEPATCH_NAME_SIZE, the terminating NUL included. */
export const nameSize = 128;
/** LIVEPATCH_MAX_SIZE: the largest payload upload accepts. */
export const maxPayloadSize = Number(livepatchMaxSize);
/** `timeout ?: MILLISECS(30)`: the quiesce timeout when the action gives none, in ns. */
export const defaultTimeoutNs = 30_000_000;

export const stateName = (state: number): string => (state === LIVEPATCH_STATE_CHECKED ? 'CHECKED' : state === LIVEPATCH_STATE_APPLIED ? 'APPLIED' : 'unknown');

/** What `%s finished %s with rc=%d` names each action. */
export const actionName: Record<LivepatchAction, string> = { unload: 'UNLOAD', revert: 'REVERT', apply: 'APPLY', replace: 'REPLACE' };

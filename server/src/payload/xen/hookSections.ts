import { HookKind } from '../model';

/** `.livepatch.hooks.<kind>`; load/unload are arrays, every other kind holds one pointer. */
export const hookKinds: readonly HookKind[] = ['load', 'unload', 'preapply', 'apply', 'postapply', 'prerevert', 'revert', 'postrevert'];

export const hookSection = (kind: HookKind): string => `.livepatch.hooks.${kind}`;

export const isArrayHook = (kind: HookKind): boolean => kind === 'load' || kind === 'unload';

/** Hooks that can refuse an action; Xen refuses REPLACE when any payload involved has one. */
export const vetoingHookKinds: readonly HookKind[] = ['preapply', 'postapply', 'prerevert', 'postrevert'];

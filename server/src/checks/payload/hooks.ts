import { isArrayHook, vetoingHookKinds, XenPayload } from '../../payload';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/** Xen's hook section checks: arrays of 8-byte pointers, single hooks exactly one pointer. */
export function checkHookSections(sink: FindingSink, payload: XenPayload): void {
  for (const hook of payload.hooks) {
    const whole = hook.size % 8n === 0n;
    const count = hook.size / 8n;
    if (isArrayHook(hook.kind) ? whole : whole && count === 1n) continue;
    sink.add(
      payloadChecks.hookSize,
      hook.section,
      `${hook.section} is ${hook.size} bytes; ${isArrayHook(hook.kind) ? 'it must be an array of 8-byte function pointers' : 'it must hold exactly one 8-byte function pointer, because the hypervisor calls only one'}. ` +
        'Xen refuses the upload (-EINVAL, without a message). ' +
        `Use one LIVEPATCH_${hook.kind.toUpperCase()}_HOOK() per payload${isArrayHook(hook.kind) ? '' : ' and call your other functions from it'}.`,
      'EINVAL',
    );
  }
}

/** Any pre/post apply/revert hook makes the payload "vetoing", which REPLACE refuses. */
export function checkVetoingHooks(sink: FindingSink, payload: XenPayload): void {
  const vetoing = payload.hooks.filter((h) => vetoingHookKinds.includes(h.kind) && h.size > 0n);
  if (!vetoing.length) return;
  sink.add(
    payloadChecks.vetoingHooks,
    '.livepatch.hooks.*',
    `${vetoing.map((h) => h.section).join(', ')} make this payload vetoing: it can be applied and reverted, but never used with REPLACE, and while it is applied no other payload can REPLACE either. ` +
      'Xen says "livepatch: REPLACE action is not supported on livepatches with vetoing hooks!" (-EOPNOTSUPP). Use load/unload or apply/revert action hooks if the payload is meant for REPLACE.',
  );
}

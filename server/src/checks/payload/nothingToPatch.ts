import { Payload } from '../../payload';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/** A payload must change something: functions, or (Xen) hooks. */
export function checkSomethingToPatch(sink: FindingSink, payload: Payload): void {
  if (payload.kind === 'xen') {
    if (payload.funcs.length || payload.hooks.some((h) => h.size > 0n)) return;
    sink.add(
      payloadChecks.nothingToPatch,
      '.livepatch.funcs',
      `The payload has no .livepatch.funcs entries and no hooks, so loading it would change nothing. ${sink.xenSays(payload.name, 'Nothing to patch. Aborting...')} (-EINVAL). ` +
        'Check that the struct livepatch_func is in section .livepatch.funcs and was not discarded by the link.',
      'EINVAL',
    );
    return;
  }
  const funcs = payload.patch?.objects.reduce((n, o) => n + o.funcs.length, 0) ?? 0;
  if (funcs) return;
  sink.add(
    payloadChecks.nothingToPatch,
    payload.patch ? `klp_patch ${payload.patch.symbol}` : 'module',
    payload.patch
      ? `klp_patch ${payload.patch.symbol} lists no functions to patch, so enabling it changes nothing (an object without funcs makes klp_enable_patch() fail with -EINVAL). Fill in the klp_func array of each object.`
      : `The klp_patch graph could not be rebuilt: ${payload.patchProblem ?? 'unknown reason'}. A livepatch module's init must call klp_enable_patch(&patch).`,
  );
}

import { Machine } from '../machine';
import { XenConsole } from './console';
import { commonApply, commonRevert } from './patchFunctions';
import { archApply, archRevert } from './x86Patch';

/**
 * The hypervisor's patching functions, for payloads whose apply/revert action hooks patch
 * (or un-patch) their functions themselves: `(const struct livepatch_func *, struct livepatch_fstate *)`.
 */
export function defineLivepatchNatives(machine: Machine, console: XenConsole): void {
  machine.natives.define({ name: 'arch_livepatch_apply', kind: 'call', run: (ctx) => archApply(ctx.memory, ctx.arg(0), ctx.arg(1)) });
  machine.natives.define({ name: 'arch_livepatch_revert', kind: 'call', run: (ctx) => archRevert(ctx.memory, ctx.arg(0), ctx.arg(1)) });
  machine.natives.define({ name: 'common_livepatch_apply', kind: 'call', run: (ctx) => commonApply(ctx.memory, console, ctx.arg(0), ctx.arg(1)) });
  machine.natives.define({ name: 'common_livepatch_revert', kind: 'call', run: (ctx) => commonRevert(ctx.memory, console, ctx.arg(0), ctx.arg(1)) });
}

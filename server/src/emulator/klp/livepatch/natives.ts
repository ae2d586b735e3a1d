import { readStates } from './guestStructs';
import { LivepatchKernel } from './kernelPort';
import { LivepatchCore } from './core';
import { KlpState } from './model';
import { getPrevState } from './states';

// The livepatch API a module calls: klp_enable_patch() (EXPORT_SYMBOL_GPL), klp_get_state()
// and klp_get_prev_state() (state.c). Results are C ints and pointers in rax.

/** An int return as the 64-bit register holds it (sign-extended, as gcc's callers read eax). */
const intResult = (value: number): bigint => BigInt.asUintN(64, BigInt(value));

export function defineLivepatchNatives(kernel: LivepatchKernel, core: LivepatchCore): void {
  const natives = kernel.machine.natives;
  kernel.defineNative('klp_enable_patch', function* (ctx) {
    return intResult(yield* core.enablePatch(ctx.arg(0)));
  });
  natives.define({ name: 'klp_get_state', kind: 'call', run: (ctx) => statesOf(kernel, core, ctx.arg(0)).find((s) => s.id === ctx.arg(1))?.address ?? 0n });
  natives.define({
    name: 'klp_get_prev_state',
    kind: 'call',
    run: (ctx) => {
      const patch = core.transition.patch;
      return patch ? (getPrevState(core.list, patch, ctx.arg(0))?.address ?? 0n) : 0n;
    },
  });
}

/** A registered patch's states, or those of a klp_patch not enabled yet, read as its module wrote them. */
function statesOf(kernel: LivepatchKernel, core: LivepatchCore, address: bigint): KlpState[] {
  const known = core.list.find((p) => p.address === address);
  if (known) return known.states;
  const layout = kernel.moduleAt(address)?.klpLayout;
  const memory = kernel.machine.memory;
  return layout ? readStates(memory, layout, memory.readU64(address + BigInt(layout.patch.states))) : [];
}

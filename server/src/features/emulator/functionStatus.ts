import type { EmulatorFuncState, EmulatorPayloadState, LinuxPatchFuncState, LinuxPatchState } from '../../protocol';
import type { EmulatorStates } from './emulatorStates';

/** What the emulator's hypervisor or kernel does with one function: which payloads or patches name it, and in what state. */
export type FunctionStatus =
  | { runtime: 'xen'; booted: boolean; uses: Array<{ payload: EmulatorPayloadState; func: EmulatorFuncState }> }
  | { runtime: 'linux'; booted: boolean; uses: Array<{ patch: LinuxPatchState; func: LinuxPatchFuncState }> };

/** `flavour`: the source's (a klp_func speaks for Linux, a livepatch_func for Xen). */
export function functionStatus(states: EmulatorStates, name: string, flavour: 'klp' | 'xen'): FunctionStatus {
  if (flavour === 'xen') {
    const state = states.get('xen');
    const payloads = state?.runtime === 'xen' ? state.payloads : [];
    return {
      runtime: 'xen',
      booted: state?.runtime === 'xen' && state.buildId !== undefined,
      uses: payloads.flatMap((payload) => payload.funcs.filter((f) => f.name === name).map((func) => ({ payload, func }))),
    };
  }
  const state = states.get('linux');
  const patches = state?.runtime === 'linux' ? state.patches : [];
  // klp names a func `old_name,sympos` when old_sympos is set.
  const named = (f: LinuxPatchFuncState) => f.name === name || f.name.startsWith(`${name},`);
  return {
    runtime: 'linux',
    booted: state?.runtime === 'linux' && state.version !== undefined,
    uses: patches.flatMap((patch) => patch.objects.flatMap((object) => object.funcs.filter(named).map((func) => ({ patch, func })))),
  };
}

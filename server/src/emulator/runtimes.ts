import type { RuntimeName } from '../scenario/dialect';
import { EmulatorError } from './faults';
import type { RuntimeFactory } from './runtime';
import { xenRuntimeFactory } from './xen/xenRuntime';

/**
 * The runtimes a session can boot. The Linux one comes with emulator/klp/ (issue 10): its
 * adapter over `LinuxKernel.boot` and `runLinuxCommand` goes here, and this is the only place
 * that says it is missing.
 */
const factories: Record<RuntimeName, RuntimeFactory | undefined> = {
  xen: xenRuntimeFactory,
  linux: undefined,
};

/** The runtime's factory, or an EmulatorError saying it is not there. */
export function runtimeFactory(name: RuntimeName): RuntimeFactory {
  const factory = factories[name];
  if (!factory) throw new EmulatorError(`the ${name === 'linux' ? 'Linux' : name} runtime is not built yet: this emulator runs Xen payloads only (--runtime xen)`);
  return factory;
}

import type { RuntimeName } from '../scenario/dialect';
import type { RuntimeFactory } from './runtime';
import { linuxRuntimeFactory } from './klp/linuxRuntime';
import { xenRuntimeFactory } from './xen/xenRuntime';

/** The runtimes a session can boot: Xen's hypervisor (xen/) and Linux's kernel (klp/). */
const factories: Record<RuntimeName, RuntimeFactory> = {
  xen: xenRuntimeFactory,
  linux: linuxRuntimeFactory,
};

/** The runtime's factory. */
export function runtimeFactory(name: RuntimeName): RuntimeFactory {
  return factories[name];
}

import { XenConsole } from './console';

/** The hypervisor stopped: `panic()` was called or hypervisor-context code faulted. */
export class XenPanic extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'XenPanic';
  }
}

/** panic(): Xen's banner on the console, then the hypervisor stops. */
export function panic(console: XenConsole, message: string): never {
  console.panic(message);
  throw new XenPanic(message);
}

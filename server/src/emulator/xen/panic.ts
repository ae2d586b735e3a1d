/** The hypervisor stopped: `panic()` was called or hypervisor-context code faulted. */
export class XenPanic extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'XenPanic';
  }
}

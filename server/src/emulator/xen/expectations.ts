import { opaqueSize } from '../../payload';
import { errno } from '../errno';
import { readGuestFunc } from './guestLayout';
import { Hypervisor } from './hypervisor';
import { LoadedPayload } from './payloadRecord';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * livepatch_check_expectations(): every enabled `expect` must match the bytes now at old_addr,
 * so a payload built against different code is refused before it patches; returns 0 or -errno.
 */
export function checkExpectations(h: Hypervisor, payload: LoadedPayload): number {
  h.console.printk(`livepatch: ${payload.name}: Verifying enabled expectations for all functions`);
  for (const address of payload.funcs) {
    const rc = verifyExpectation(h, address);
    if (rc) {
      const func = readGuestFunc(h.machine.memory, address);
      h.console.printk(`livepatch: ${payload.name}: expectations of ${func.name || 'unknown'} failed (rc=${rc}), aborting!`);
      return rc;
    }
  }
  return 0;
}

function verifyExpectation(h: Hypervisor, address: bigint): number {
  const func = readGuestFunc(h.machine.memory, address);
  const expect = func.expect;
  if (!expect.enabled) return 0;
  if (!func.oldAddr) return -errno('EFAULT');
  if (expect.len > opaqueSize) return -errno('EOVERFLOW');
  if (expect.rsv) return -errno('EINVAL');
  if (func.oldSize < expect.len) return -errno('ERANGE');
  const wanted = expect.data.subarray(0, expect.len);
  const actual = h.machine.memory.read(func.oldAddr, expect.len);
  if (hex(wanted) === hex(actual)) return 0;
  h.console.printk(`livepatch: ${func.name}: expectation failed: expected:${hex(wanted)}, actual:${hex(actual)}`);
  return -errno('EINVAL');
}

import { EmulatorError, GuestFault } from '../faults';
import type { RuntimeOutput } from '../runtime';
import { XenLivepatch } from './runtime';

/** XEN_EXTRAVERSION_LEN: the hypercall copies at most this much, NUL included. */
const extraversionLength = 16;

/**
 * dom0's /sys/hypervisor files as Linux's drivers/xen/sys-hypervisor.c shows them, from the
 * XENVER_* hypercalls, which call the hypervisor's own xen_major_version(), xen_minor_version()
 * and xen_extra_version(): patched, they answer what the payload says.
 */
const files: Record<string, (xen: XenLivepatch) => string> = {
  '/sys/hypervisor/type': () => 'xen\n',
  '/sys/hypervisor/version/major': (xen) => `${xenVersion(xen) >> 16n}\n`,
  '/sys/hypervisor/version/minor': (xen) => `${xenVersion(xen) & 0xffn}\n`,
  '/sys/hypervisor/version/extra': (xen) => `${xen.machine.memory.readCString(guestCall(xen, 'xen_extra_version'), extraversionLength - 1)}\n`,
};

/** XENVER_version: `(xen_major_version() << 16) | xen_minor_version()`, an int. */
const xenVersion = (xen: XenLivepatch): bigint =>
  BigInt.asUintN(32, (BigInt.asUintN(32, guestCall(xen, 'xen_major_version')) << 16n) | BigInt.asUintN(32, guestCall(xen, 'xen_minor_version')));

function guestCall(xen: XenLivepatch, fn: string): bigint {
  const result = xen.machine.call(fn);
  if (result.status !== 'returned') throw new EmulatorError(result.fault?.report() ?? `${fn} did not return: ${result.stopReason}`);
  return result.rax;
}

/** `cat PATH...` in dom0, for the files above: their text, or cat's complaint and exit 1. */
export function catHypervisorFiles(xen: XenLivepatch, paths: string[]): RuntimeOutput {
  if (!paths.length) return { stdout: '', stderr: 'cat: a scenario has no standard input: name a file\n', exitCode: 1 };
  let stdout = '';
  let stderr = '';
  for (const file of paths) {
    const show = files[file];
    if (!show) {
      stderr += `cat: ${file}: No such file or directory\n`;
      continue;
    }
    try {
      stdout += show(xen);
    } catch (error) {
      // The hypervisor faulted answering: dom0 sees the hypercall fail.
      if (!(error instanceof EmulatorError || error instanceof GuestFault)) throw error;
      stderr += `cat: ${file}: ${error instanceof GuestFault ? error.report() : error.message}\n`;
    }
  }
  return { stdout, stderr, exitCode: stderr ? 1 : 0 };
}

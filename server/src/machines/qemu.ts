import { closeSync, openSync } from 'node:fs';

export type Accelerator = 'kvm' | 'tcg';

/** KVM works when /dev/kvm opens for reading and writing (it exists in many containers that may not use it). */
export function kvmUsable(device = '/dev/kvm'): boolean {
  try {
    closeSync(openSync(device, 'r+'));
    return true;
  } catch {
    return false;
  }
}

export interface QemuLinuxBoot {
  kernel: string;
  initrd: string;
  nonce: string;
  accel: Accelerator;
  memoryMiB: number;
}

/**
 * QEMU's arguments (an array: nothing goes through a shell) for one Linux boot: no default
 * devices and no NIC (so no option ROMs), the first serial port on stdin/stdout with nothing
 * multiplexed onto it (no monitor escapes), a panic or a reboot ending QEMU, `nokaslr` for
 * stable text addresses, `quiet` for a shorter boot, and `tsc=unstable`: without a known TSC
 * frequency (TCG) the kernel refines its calibration about a second after boot and logs three
 * clocksource lines into whatever command runs then.
 */
export function qemuLinuxArgs(boot: QemuLinuxBoot): string[] {
  return [
    ...['-nodefaults', '-no-user-config', '-machine', 'q35', '-accel', boot.accel, '-cpu', boot.accel === 'kvm' ? 'host' : 'max'],
    ...['-smp', '1', '-m', String(boot.memoryMiB), '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot', '-nic', 'none'],
    ...['-kernel', boot.kernel, '-initrd', boot.initrd, '-append', `console=ttyS0 panic=-1 nokaslr quiet tsc=unstable llnonce=${boot.nonce}`],
  ];
}

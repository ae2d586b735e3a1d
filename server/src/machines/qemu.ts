import { accessSync, constants } from 'node:fs';

export type Accelerator = 'kvm' | 'tcg';

/** KVM may work when /dev/kvm is there to read and write; QEMU may still refuse it (the runner then falls back to TCG). */
export function kvmUsable(device = '/dev/kvm'): boolean {
  try {
    accessSync(device, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The arguments every boot shares (an array: nothing goes through a shell): no default devices
 * and no NIC (so no option ROMs), the first serial port on stdin/stdout with nothing multiplexed
 * onto it (no monitor escapes), a panic or a reboot ending QEMU. Under TCG the CPU model is the
 * runtime's: Linux takes `max`; dom0 dies at once under Xen with `max` (#PF in
 * create_bounce_frame: SMAP), so Xen takes `qemu64`.
 */
function commonArgs(accel: Accelerator, tcgCpu: string, memoryMiB: number): string[] {
  return [
    ...['-nodefaults', '-no-user-config', '-machine', 'q35', '-accel', accel, '-cpu', accel === 'kvm' ? 'host' : tcgCpu, '-smp', '1', '-m', String(memoryMiB)],
    ...['-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot', '-nic', 'none'],
  ];
}

/**
 * The guest kernel's own line: the console, `panic=-1` (with -no-reboot, a panic ends QEMU),
 * `nokaslr` for stable text addresses, `quiet` for a shorter boot, `tsc=unstable` (without a
 * known TSC frequency, as under TCG, the kernel refines its calibration about a second after boot
 * and logs three clocksource lines into whatever command runs then), and the console protocol's nonce.
 */
function kernelLine(console: string, nonce: string): string {
  return `console=${console} panic=-1 nokaslr quiet tsc=unstable llnonce=${nonce}`;
}

export interface QemuBoot {
  initrd: string;
  nonce: string;
  accel: Accelerator;
  memoryMiB: number;
}

export function qemuLinuxArgs(boot: QemuBoot & { kernel: string }): string[] {
  return [...commonArgs(boot.accel, 'max', boot.memoryMiB), '-kernel', boot.kernel, '-initrd', boot.initrd, '-append', kernelLine('ttyS0', boot.nonce)];
}

/** A multiboot module list item: QEMU separates modules with `,`, so a comma in a path is doubled. */
const moduleItem = (text: string) => text.replace(/,/g, ',,');

/**
 * Xen as the multiboot kernel, its modules dom0's kernel (with dom0's command line: hvc0 is
 * Xen's console, which goes out on com1 unprefixed) and the initramfs; half the memory for dom0.
 * `sync_console`: on a loaded host about half the boots under TCG stopped printing for good
 * partway (Xen's interrupt-driven transmit ring stopped draining and dropped the rest, dom0
 * alive); written synchronously, every boot since has come through (6 of 6 when this was written).
 */
export function qemuXenArgs(boot: QemuBoot & { xen: string; dom0Kernel: string }): string[] {
  const dom0MiB = Math.floor(boot.memoryMiB / 2);
  const xenLine = `console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all dom0_mem=${dom0MiB}M,max:${dom0MiB}M dom0_max_vcpus=1 sync_console`;
  return [
    ...commonArgs(boot.accel, 'qemu64', boot.memoryMiB),
    ...['-kernel', boot.xen, '-append', xenLine, '-initrd', `${moduleItem(boot.dom0Kernel)} ${kernelLine('hvc0', boot.nonce)} earlyprintk=xen,${moduleItem(boot.initrd)}`],
  ];
}

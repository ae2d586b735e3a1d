/**
 * What one scenario command did, in the same shape whichever machine ran it: the emulator's
 * Xen or Linux runtime, or a real hypervisor or kernel in QEMU.
 */
export interface CommandResult {
  /** The command as written. */
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  /**
   * The log lines this command caused, as the machine's own log shows them: `(XEN) ...` console
   * lines for Xen, `[    1.234567] ...` kernel log lines for Linux (what `dmesg` would add).
   */
  log: string[];
}

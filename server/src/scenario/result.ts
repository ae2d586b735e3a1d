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
  /** What the emulator's `call FUNCTION` returned: only the emulator can call a function. */
  call?: CallDetails;
}

/** What `call` reports besides its text: for JSON and the editor. */
export interface CallDetails {
  status: 'returned' | 'stopped' | 'fault';
  /** The return value, `0x` hex (64 bits). */
  rax: string;
  /** The NUL-terminated string rax points to, when it points to one. */
  string: string | null;
  /** What the guest printed during the call. */
  output: string;
  instructions: number;
  fault?: string;
}

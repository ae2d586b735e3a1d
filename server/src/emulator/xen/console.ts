/**
 * The hypervisor's console as `xl dmesg` shows it: every line `(XEN) `-prefixed, the payloads'
 * own printk output (hooks run in hypervisor context) included, and panics in Xen's banner.
 */
export class XenConsole {
  private text = '';
  private partial = '';
  /** What starts each line of guest output: '' when the image's own printk writes its `(XEN) ` (a real xen-syms's console ring). */
  guestPrefix = '(XEN) ';

  /** One printk: LIVEPATCH-prefixed messages pass their `livepatch: ` prefix in `line`. */
  printk(line: string): void {
    this.lines(`${line}\n`, '(XEN) ');
  }

  /** Raw output of guest code; split into lines, a trailing partial line waits for the rest. */
  guest(output: string): void {
    this.lines(output, this.guestPrefix);
  }

  private lines(output: string, prefix: string): void {
    const lines = (this.partial + output).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.text += `${prefix}${line}\n`;
  }

  /**
   * A line the real hypervisor does not print, marked `(emulator)`: where Xen refuses a payload
   * silently (an oversized .bss, a malformed ELF), the author still learns which check refused it.
   */
  note(line: string): void {
    this.text += `(emulator) ${line}\n`;
  }

  /**
   * A panic() of the hypervisor's own trap handler (a BUG in payload code), in the middle of a
   * guest run: its banner is printed once the run's output is (printPendingPanic).
   */
  pendingPanic: string | undefined;

  panic(message: string): void {
    const stars = '****************************************';
    for (const line of [stars, 'Panic on CPU 0:', message, stars, '', 'Reboot in five seconds...']) this.printk(line);
  }

  /** Everything printed so far. */
  get log(): string {
    return this.text;
  }

  /** What was printed since a previous `log.length`. */
  since(mark: number): string {
    return this.text.slice(mark);
  }
}

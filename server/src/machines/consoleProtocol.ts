import { randomBytes } from 'node:crypto';

/**
 * The framing on the guest's serial console. The host sends one line per command, `run
 * BASE64`, the shell text base64-encoded so no byte of it can reach the guest's tty as a control
 * character or a line end. The guest answers with marker lines `@@LL:NONCE:WHAT`, the nonce
 * random per boot (from the kernel command line) so no output, kernel line or firmware noise can
 * forge one, and between them base64 of what the command wrote to stdout, to stderr, and of the
 * kernel log lines it caused (`dmesg -c` after each command, the kernel's console silenced with
 * `dmesg -n 1`): a command's bytes are never interleaved with the log or with another's. Under
 * Xen the hypervisor writes its own `(XEN)` lines to the same port while a command runs; they
 * are kept as the frame's console lines, told from the encoded output by their characters.
 */
const markerPrefix = '@@LL:';

export function newNonce(): string {
  return randomBytes(8).toString('hex');
}

export function runLine(shellText: string): string {
  return `run ${Buffer.from(shellText, 'utf8').toString('base64')}\n`;
}

export const quitLine = 'quit\n';

/** What the guest reported for one command. */
export interface GuestFrame {
  index: number;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Kernel log lines, `[    1.234567] text`, in order. */
  log: string[];
  /**
   * Console lines that came between the command's BEGIN and END markers outside its encoded
   * output: what the hypervisor printed (`(XEN) ...`) on the same serial port while the command ran.
   */
  console: string[];
}

export type ConsoleEvent =
  | { kind: 'ready'; bootLog: string[] }
  | { kind: 'result'; frame: GuestFrame }
  | { kind: 'poweroff' }
  /** A console line outside any frame: firmware, an emergency kernel message, a panic. */
  | { kind: 'noise'; line: string };

type Section = 'bootlog' | 'out' | 'err' | 'log';

const base64Line = /^[A-Za-z0-9+/=]+$/;

function decode(lines: string[]): string {
  return Buffer.from(lines.join(''), 'base64').toString('utf8');
}

function logLines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

/**
 * Reads the console stream chunk by chunk and turns it into events. Lines are cut at `\n`, `\r`
 * dropped (the tty and SeaBIOS add them); a marker counts only at the start of a line and with
 * this boot's nonce.
 */
export class ConsoleReader {
  private pending = '';
  private section: Section | undefined;
  /** Between a command's BEGIN and END. */
  private inFrame = false;
  private console: string[] = [];
  private sections: Record<Section, string[]> = { bootlog: [], out: [], err: [], log: [] };
  private readonly marker: string;
  /** Characters buffered in the current frame, to bound what a runaway command can make us hold. */
  private held = 0;

  constructor(
    nonce: string,
    private readonly emit: (event: ConsoleEvent) => void,
    private readonly maxFrameChars = 64 * 1024 * 1024,
    /** Sees every line that is neither a marker nor encoded output (a hypervisor's line, a panic), as it comes. */
    private readonly watch: (line: string) => void = () => undefined,
  ) {
    this.marker = `${markerPrefix}${nonce}:`;
  }

  /** The console lines of a command that has not ended: what a guest said before it died in it. */
  get unfinished(): string[] {
    return this.inFrame ? [...this.console] : [];
  }

  feed(chunk: string): void {
    this.pending += chunk;
    let end: number;
    while ((end = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, end).replace(/\r/g, '');
      this.pending = this.pending.slice(end + 1);
      this.line(line);
    }
  }

  private line(line: string): void {
    const at = line.indexOf(this.marker);
    if (at < 0) {
      this.held += line.length;
      if (this.held > this.maxFrameChars) throw new Error(`a command's output is larger than ${this.maxFrameChars} characters`);
      if (this.section && base64Line.test(line)) this.sections[this.section].push(line);
      else if (!line.trim()) return;
      else {
        if (this.inFrame) this.console.push(line);
        else this.emit({ kind: 'noise', line });
        this.watch(line);
      }
      return;
    }
    // Firmware escapes (`\e[2J`) may precede the first marker on its line.
    const [what, ...args] = line.slice(at + this.marker.length).split(' ');
    switch (what) {
      case 'BEGIN':
        this.take();
        this.inFrame = true;
        return;
      case 'BOOTLOG':
      case 'OUT':
      case 'ERR':
      case 'LOG':
        this.section = what.toLowerCase() as Section;
        return;
      case 'READY':
        this.emit({ kind: 'ready', bootLog: logLines(decode(this.take().bootlog)) });
        return;
      case 'END': {
        const console = this.console;
        const s = this.take();
        const frame = { index: Number(args[0]), exitCode: Number(args[1]), stdout: decode(s.out), stderr: decode(s.err), log: logLines(decode(s.log)), console };
        this.emit({ kind: 'result', frame });
        return;
      }
      case 'POWEROFF':
        this.emit({ kind: 'poweroff' });
        return;
      default:
        this.emit({ kind: 'noise', line });
    }
  }

  private take(): Record<Section, string[]> {
    const taken = this.sections;
    this.sections = { bootlog: [], out: [], err: [], log: [] };
    this.section = undefined;
    this.held = 0;
    this.inFrame = false;
    this.console = [];
    return taken;
  }
}

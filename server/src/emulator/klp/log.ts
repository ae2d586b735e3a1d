import { GuestClock } from './clock';

/** KERN_SOH: a printk format may start with it and a level digit (or 'c' for KERN_CONT). */
const KERN_SOH = '\x01';
/** MESSAGE_LOGLEVEL_DEFAULT: the level of a printk without one (KERN_WARNING's number). */
const DEFAULT_LEVEL = 4;

export interface LogRecord {
  ns: bigint;
  level: number;
  text: string;
}

/**
 * The kernel log ring (printk's records): one record per line, stamped with guest time when the
 * line starts, shown as dmesg shows it, `[%5lu.%06lu] text`. A printk without a trailing newline
 * leaves the line open for a KERN_CONT continuation; any other printk closes it first (the
 * kernel's behaviour since 4.9).
 */
export class KernelLog {
  private readonly records: LogRecord[] = [];
  private open: LogRecord | undefined;
  /** Records before this index were cleared by `dmesg -c`; those before `readCursor` were read. */
  private clearedBefore = 0;
  private readCursor = 0;

  constructor(private readonly clock: GuestClock) {}

  /** Appends printk output (the formatted text, level prefix included). */
  printk(text: string): void {
    let level = DEFAULT_LEVEL;
    let cont = false;
    if (text[0] === KERN_SOH && text.length > 1) {
      if (text[1] === 'c') cont = true;
      else if (text[1] >= '0' && text[1] <= '7') level = text.charCodeAt(1) - 48;
      text = text.slice(2);
    }
    if (!cont) this.closeLine();
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      const last = i === lines.length - 1;
      if (last && line === '') return;
      if (this.open) this.open.text += line;
      else this.open = { ns: this.clock.ns, level, text: line };
      if (!last) this.closeLine();
    });
  }

  private closeLine(): void {
    if (!this.open) return;
    this.records.push(this.open);
    this.open = undefined;
  }

  /** A position in the log: `since(mark)` gives the lines logged after it. */
  mark(): number {
    this.closeLine();
    return this.records.length;
  }

  since(mark: number): string[] {
    this.closeLine();
    return this.records.slice(Math.max(mark, this.clearedBefore)).map(formatRecord);
  }

  /** Every record still in the ring (not cleared), oldest first. */
  entries(): readonly LogRecord[] {
    this.closeLine();
    return this.records.slice(this.clearedBefore);
  }

  /** What `dmesg` shows: the lines since the previous dmesg; `clear` empties the ring as `dmesg -c` does. */
  readNew(options: { clear?: boolean; raw?: boolean } = {}): string[] {
    this.closeLine();
    const start = Math.max(this.readCursor, this.clearedBefore);
    const lines = this.records.slice(start).map((r) => (options.raw ? `<${r.level}>` : '') + formatRecord(r));
    this.readCursor = this.records.length;
    if (options.clear) this.clearedBefore = this.records.length;
    return lines;
  }
}

/** dmesg's stamp: seconds right-aligned in 5 columns, then microseconds. */
function formatRecord(record: LogRecord): string {
  const micros = record.ns / 1000n;
  return `[${String(micros / 1000000n).padStart(5)}.${String(micros % 1000000n).padStart(6, '0')}] ${record.text}`;
}

import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ScenarioCommand } from '../scenario/command';

/** The guest folder the scenario's files are copied into; the guest shell starts there. */
export const guestFilesDir = '/modules';

/**
 * The index of the word naming a host file, if the command has one: insmod's module (the first
 * word after its options), xen-livepatch's payload (`upload NAME FILE`, `load FILE`). The file
 * is copied into the image and the word rewritten to its guest path (`insmod /home/me/fix.ko`
 * on the host is `insmod /modules/fix.ko` in the guest).
 */
function fileOperandIndex(argv: string[]): number | undefined {
  if (argv[0] === 'xen-livepatch') return argv[1] === 'upload' && argv.length > 3 ? 3 : argv[1] === 'load' && argv.length > 2 ? 2 : undefined;
  if (argv[0] !== 'insmod') return undefined;
  const i = argv.findIndex((word, k) => k > 0 && !word.startsWith('-'));
  return i > 0 ? i : undefined;
}

/**
 * The host files a scenario puts into the guest, each with its guest path: `/modules/NAME`, or
 * `/modules/K/NAME` when two files share a name, so the guest's messages keep the name the
 * author knows.
 */
export class GuestFiles {
  private readonly byHost = new Map<string, string>();

  constructor(private readonly baseDir: string) {}

  /** Adds a host file (relative to the scenario's folder) and returns its guest path. */
  add(file: string): string {
    const host = path.resolve(this.baseDir, file);
    const known = this.byHost.get(host);
    if (known) return known;
    const name = path.basename(host);
    const taken = new Set(this.byHost.values());
    let guest = `${guestFilesDir}/${name}`;
    for (let k = 2; taken.has(guest); k++) guest = `${guestFilesDir}/${k}/${name}`;
    this.byHost.set(host, guest);
    return guest;
  }

  /** Adds the host files the commands name; a word naming no host file stays a guest path. */
  addNamedBy(commands: Pick<ScenarioCommand, 'argv'>[]): void {
    for (const { argv } of commands) {
      const i = fileOperandIndex(argv);
      if (i !== undefined && this.isHostFile(argv[i])) this.add(argv[i]);
    }
  }

  /** The command's words with its host file, if it names one that was added, as the guest sees it. */
  rewrite(argv: string[]): string[] {
    const i = fileOperandIndex(argv);
    const guest = i === undefined ? undefined : this.byHost.get(path.resolve(this.baseDir, argv[i]));
    return guest === undefined || i === undefined ? argv : argv.map((word, k) => (k === i ? guest : word));
  }

  /** Host path -> guest path, in the order added. */
  entries(): { host: string; guest: string }[] {
    return [...this.byHost].map(([host, guest]) => ({ host, guest }));
  }

  private isHostFile(file: string): boolean {
    const host = path.resolve(this.baseDir, file);
    return existsSync(host) && statSync(host).isFile();
  }
}

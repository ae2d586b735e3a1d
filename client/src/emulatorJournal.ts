import type { EmulatorCommandArgs, EmulatorCommandResult } from '../../server/src/protocol';

// No `vscode` import here: unit tests load this file in plain Node.

interface Entry {
  command: string;
  args: EmulatorCommandArgs;
  commandLine: string;
  exitCode: number;
}

/** Sends one emulator command to the (new) server; rejects when the connection is lost. */
export type SendEmulatorCommand = (command: string, args: EmulatorCommandArgs) => Promise<EmulatorCommandResult | null | undefined>;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The emulator's session lives in the server process: when that process dies, the hypervisor
 * and its payloads die with it. The client keeps the commands that changed the session since
 * the last reset, in order, and runs them again on the restarted server; the emulator is
 * deterministic, so the same commands on the same target give the same session back, and a
 * command whose exit status differs this time is where the restore stops.
 */
export class EmulatorJournal {
  private entries: Entry[] = [];

  get size(): number {
    return this.entries.length;
  }

  record(command: string, args: EmulatorCommandArgs, result: EmulatorCommandResult): void {
    this.entries.push({ command, args, commandLine: result.commandLine, exitCode: result.exitCode });
  }

  clear(): void {
    this.entries = [];
  }

  /**
   * Replays the session on a restarted server; the one line that says how it went, or undefined
   * when there was nothing to restore. The journal then holds what the new server did.
   */
  async replay(send: SendEmulatorCommand): Promise<string | undefined> {
    const entries = this.entries;
    if (!entries.length) return undefined;
    for (const [i, entry] of entries.entries()) {
      let result: EmulatorCommandResult | null | undefined;
      try {
        result = await send(entry.command, entry.args);
      } catch (error) {
        // The new server went away too: the whole session is replayed when it is back.
        return `Emulator session not restored: the server stopped again during "${entry.commandLine}" (${error instanceof Error ? error.message : String(error)}).`;
      }
      if (result?.exitCode === entry.exitCode) continue;
      this.entries = entries.slice(0, i);
      if (result) this.record(entry.command, entry.args, result);
      const now = result ? `exit status ${result.exitCode}${result.stderr ? `: ${result.stderr.split('\n')[0]}` : ''}` : 'no answer';
      const skipped = entries.length - i - 1;
      return `Emulator session restored only in part after the server restart: "${entry.commandLine}" gave ${now} (exit status ${entry.exitCode} before)${skipped ? `; ${plural(skipped, 'later command')} not replayed` : ''}.`;
    }
    return `Emulator session restored after the server restart: ${plural(entries.length, 'command')} replayed, up to "${entries.at(-1)!.commandLine}".`;
  }
}

import { CliError } from './command';

/** One line of an emulator session: a command with the exit status it must have, or a comment or blank line. */
export type SessionStep = { kind: 'command'; argv: string[]; expect: number } | { kind: 'comment'; text: string };

/**
 * The commands of a session: a script (one command a line, `#` comment lines, "double quotes"
 * around words with spaces) or command-line words separated by `--`. A command may start with
 * `expect N`: it must exit with status N.
 */
export function parseSession(input: string | string[], source: string): SessionStep[] {
  if (typeof input !== 'string') {
    const commands: string[][] = [[]];
    for (const word of input) {
      if (word === '--') commands.push([]);
      else commands[commands.length - 1].push(word);
    }
    return commands.filter((argv) => argv.length > 0).map((argv) => command(argv, source));
  }
  return input.split('\n').flatMap((line, i): SessionStep[] => {
    const text = line.trim();
    if (!text || text.startsWith('#')) return [{ kind: 'comment', text }];
    return [command(words(text, `${source}:${i + 1}`), `${source}:${i + 1}`)];
  });
}

function command(argv: string[], where: string): SessionStep {
  if (argv[0] !== 'expect') return { kind: 'command', argv, expect: 0 };
  const status = argv[1];
  if (!/^[0-2]$/.test(status ?? '') || argv.length < 3) throw new CliError(`${where}: expected 'expect 0|1|2 COMMAND...'`);
  return { kind: 'command', argv: argv.slice(2), expect: Number(status) };
}

function words(line: string, where: string): string[] {
  const found = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
  if (found.some((w) => w.includes('"'))) throw new CliError(`${where}: unbalanced double quote`);
  return found;
}

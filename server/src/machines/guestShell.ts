import { ScenarioCommand } from '../scenario/command';

/**
 * One word for the guest's POSIX shell, taken literally whatever it holds: single quotes keep
 * every byte but `'` itself, which is closed, escaped and reopened. Nothing the author wrote is
 * ever expanded, globbed or split by the guest.
 */
export function quoteWord(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shell line the guest runs for a command: each word quoted, the redirection (if any) to
 * its quoted path. `rewrite` turns the host paths the command names into guest paths first.
 */
export function guestCommandLine(command: Pick<ScenarioCommand, 'argv' | 'redirect'>, rewrite: (argv: string[]) => string[] = (argv) => argv): string {
  const words = rewrite(command.argv).map(quoteWord);
  if (command.redirect) words.push(command.redirect.append ? '>>' : '>', quoteWord(command.redirect.path));
  return words.join(' ');
}

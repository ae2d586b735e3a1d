import { ScenarioCommand } from '../scenario/command';
import { quoteWord } from '../scenario/shellWords';

/**
 * The shell line the guest runs for a command: each word quoted, the redirection (if any) to
 * its quoted path. `rewrite` turns the host paths the command names into guest paths first.
 */
export function guestCommandLine(command: Pick<ScenarioCommand, 'argv' | 'redirect'>, rewrite: (argv: string[]) => string[] = (argv) => argv): string {
  const words = rewrite(command.argv).map(quoteWord);
  if (command.redirect) words.push(command.redirect.append ? '>>' : '>', quoteWord(command.redirect.path));
  return words.join(' ');
}

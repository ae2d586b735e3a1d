import { quoteWord } from './shellWords';
import type { ScenarioCommand } from './command';

/** A script line the parser cannot read: the message starts with `FILE:LINE: `. */
export class ScenarioSyntaxError extends Error {
  constructor(
    readonly where: string,
    detail: string,
  ) {
    super(`${where}: ${detail}`);
    this.name = 'ScenarioSyntaxError';
  }
}

/** A comment or blank line of a script: `--echo` shows it where it stands. */
export interface ScenarioComment {
  comment: string;
  source: string;
}

export type ScenarioStep = ScenarioCommand | ScenarioComment;

export const isComment = (step: ScenarioStep): step is ScenarioComment => 'comment' in step;

/** The commands of parsed steps, comments left out. */
export const commandsOf = (steps: readonly ScenarioStep[]): ScenarioCommand[] => steps.filter((s): s is ScenarioCommand => !isComment(s));

/** The exit statuses a command may be expected to end with: success, error, try again. */
const expectable = /^[0-2]$/;

/**
 * A scenario script: one command a line, as a shell reads it: `#` starts a comment (a whole line,
 * or the rest of one after a word), "double" and 'single' quotes group words (a backslash escapes
 * the next character outside single quotes), `echo V > PATH` and `>> PATH` redirect. A command
 * may start with `expect N`: it must exit with status N. Errors name `file:line`.
 */
export function parseScript(text: string, file: string): ScenarioStep[] {
  return text.split('\n').map((raw, i): ScenarioStep => {
    const source = `${file}:${i + 1}`;
    const line = raw.replace(/\r$/, '').trim();
    const tokens = tokenize(line, source);
    if (!tokens.length) return { comment: line, source };
    return command(tokens, line, source);
  });
}

/**
 * Command-line words, commands separated by `--`: the shell has already removed the quotes, so a
 * word `>` or `>>` (quoted for that shell) or one starting with them is the redirection.
 */
export function parseArgv(words: readonly string[], source = 'the command line'): ScenarioCommand[] {
  const groups: string[][] = [[]];
  for (const word of words) {
    if (word === '--') groups.push([]);
    else groups[groups.length - 1].push(word);
  }
  return groups
    .filter((group) => group.length > 0)
    .map((group) => {
      const tokens = group.flatMap((word): Token[] => {
        const operator = /^>>?/.exec(word)?.[0];
        if (!operator) return [{ word, operator: false }];
        const rest = word.slice(operator.length);
        return [{ word: operator, operator: true }, ...(rest ? [{ word: rest, operator: false }] : [])];
      });
      return command(tokens, group.map(quoteWord).join(' '), source);
    });
}

/** One command from words the shell has split, as the emulator's LSP commands send them. */
export function commandFromWords(argv: readonly string[], source: string): ScenarioCommand {
  return { argv: [...argv], expect: 0, text: argv.map(quoteWord).join(' '), source };
}

interface Token {
  word: string;
  /** An unquoted `>` or `>>`. */
  operator: boolean;
}

function command(tokens: Token[], written: string, source: string): ScenarioCommand {
  let expect = 0;
  let text = written;
  if (tokens[0].word === 'expect' && !tokens[0].operator) {
    const status = tokens[1];
    if (!status || !expectable.test(status.word) || tokens.length < 3) throw new ScenarioSyntaxError(source, "expected 'expect 0|1|2 COMMAND...'");
    expect = Number(status.word);
    tokens = tokens.slice(2);
    text = written.replace(/^expect\s+\S+\s+/, '');
  }
  const at = tokens.findIndex((t) => t.operator);
  if (at < 0) return { argv: tokens.map((t) => t.word), expect, text, source };
  const argv = tokens.slice(0, at).map((t) => t.word);
  const path = tokens[at + 1];
  if (!argv.length) throw new ScenarioSyntaxError(source, `'${tokens[at].word}' with no command before it`);
  if (!path || path.operator) throw new ScenarioSyntaxError(source, `'${tokens[at].word}' must be followed by a path`);
  if (tokens.length > at + 2) throw new ScenarioSyntaxError(source, `nothing may follow '${tokens[at].word} ${path.word}'`);
  if (argv[0] !== 'echo') throw new ScenarioSyntaxError(source, `only echo can be redirected ('${tokens[at].word} PATH'), not ${argv[0]}`);
  return { argv, redirect: { path: path.word, append: tokens[at].word === '>>' }, expect, text, source };
}

/** The words of one line, quotes removed; an unquoted `#` at the start of a word ends the line. */
function tokenize(line: string, source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '>') {
      const word = line[i + 1] === '>' ? '>>' : '>';
      tokens.push({ word, operator: true });
      i += word.length;
      continue;
    }
    let word = '';
    while (i < line.length && !' \t>'.includes(line[i])) {
      const ch = line[i];
      if (ch === "'" || ch === '"') {
        const end = closingQuote(line, i, source);
        word += ch === "'" ? line.slice(i + 1, end) : line.slice(i + 1, end).replace(/\\(["\\$`])/g, '$1');
        i = end + 1;
      } else if (ch === '\\' && i + 1 < line.length) {
        word += line[i + 1];
        i += 2;
      } else {
        word += ch;
        i++;
      }
    }
    tokens.push({ word, operator: false });
  }
  return tokens;
}

function closingQuote(line: string, open: number, source: string): number {
  const quote = line[open];
  for (let i = open + 1; i < line.length; i++) {
    if (quote === '"' && line[i] === '\\') i++;
    else if (line[i] === quote) return i;
  }
  throw new ScenarioSyntaxError(source, `unbalanced ${quote === '"' ? 'double' : 'single'} quote`);
}

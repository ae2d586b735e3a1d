import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { emulatorVerbs, linuxVerbs, xenLivepatchVerbs } from './dialect';
import { commandsOf, parseScript, ScenarioSyntaxError } from './parse';

/** Something in a scenario that would stop it before or while it runs, on a 0-based line. */
export interface ScenarioProblem {
  line: number;
  /** Columns of the line the problem covers (the whole line when it is the line's). */
  start: number;
  end: number;
  severity: 'error' | 'warning';
  message: string;
}

const knownVerbs = new Set([...xenLivepatchVerbs, ...emulatorVerbs, ...linuxVerbs, 'xen-livepatch']);

/** Where a command reads a file: its verb and which words (after the verb) name one. */
const fileWords: Record<string, (words: string[]) => string[]> = {
  load: (words) => words.slice(0, 1),
  upload: (words) => words.slice(1, 2),
  insmod: (words) => words.slice(0, 1),
};

/** A word that names a payload or module to read, whatever command carries it. */
const payloadLike = /\.(livepatch|ko|o)$/;

/** The 0-based line of a `FILE:LINE` source, as the parser names a command's or an error's place. */
const lineOf = (source: string): number => Number(/:(\d+)$/.exec(source)?.[1] ?? 1) - 1;

/**
 * What the editor can tell of a scenario without running it (docs/scenario.md): a line that does
 * not parse, a command no runtime has, a payload or module that does not exist relative to the
 * script's folder (where `emu --script` resolves them).
 */
export function scenarioProblems(text: string, file: string): ScenarioProblem[] {
  const lines = text.split('\n');
  const whole = (line: number) => ({ line, start: 0, end: (lines[line] ?? '').replace(/\r$/, '').length });
  let steps;
  try {
    steps = parseScript(text, file);
  } catch (error) {
    if (!(error instanceof ScenarioSyntaxError)) throw error;
    const line = lineOf(error.where);
    return [{ ...whole(line), severity: 'error', message: error.message.slice(error.where.length + 2) }];
  }
  const problems: ScenarioProblem[] = [];
  for (const command of commandsOf(steps)) {
    const line = lineOf(command.source);
    const argv = command.argv[0] === 'xen-livepatch' ? command.argv.slice(1) : command.argv;
    const [verb = '', ...words] = argv;
    if (!knownVerbs.has(verb)) {
      problems.push({
        ...whole(line),
        severity: 'error',
        message: `unknown command '${verb}': a scenario has ${[...xenLivepatchVerbs, ...linuxVerbs, ...emulatorVerbs].join(', ')} (docs/scenario.md)`,
      });
      continue;
    }
    const named = new Set([...(fileWords[verb]?.(words) ?? []), ...words.filter((w) => payloadLike.test(w))]);
    for (const word of named) {
      if (existsSync(path.resolve(path.dirname(file), word))) continue;
      const at = (lines[line] ?? '').indexOf(word);
      const span = at >= 0 ? { line, start: at, end: at + word.length } : whole(line);
      problems.push({ ...span, severity: 'error', message: `${word}: no such file (relative to ${path.basename(file)}'s folder, ${path.dirname(file)})` });
    }
  }
  return problems;
}

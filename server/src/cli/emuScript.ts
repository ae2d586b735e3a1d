import { readFileSync } from 'node:fs';
import { parseArgv, parseScript, ScenarioStep, ScenarioSyntaxError } from '../scenario/parse';
import { CliError } from './command';

/** The steps of a CLI scenario: the script's (comments kept for --echo), then the command line's. */
export function scenarioSteps(script: string | undefined, words: string[]): ScenarioStep[] {
  try {
    return [...(script ? parseScript(readScript(script), script) : []), ...parseArgv(words, 'the command line')];
  } catch (error) {
    if (error instanceof ScenarioSyntaxError) throw new CliError(error.message);
    throw error;
  }
}

function readScript(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the script ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

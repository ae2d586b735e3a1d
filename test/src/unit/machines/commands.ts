import type { ScenarioCommand } from '../../../../server/out/scenario/command';

/**
 * A scenario command built by hand, for the runner's tests only: the scenario parser lives in
 * server/src/scenario/ and is tested there. `> PATH` as the last two words becomes the redirect.
 */
export function command(...words: string[]): ScenarioCommand {
  const op = words.at(-2);
  const redirect = op === '>' || op === '>>' ? { path: words[words.length - 1], append: op === '>>' } : undefined;
  const argv = redirect ? words.slice(0, -2) : words;
  return { argv, redirect, expect: 0, text: words.join(' '), source: 'test' };
}

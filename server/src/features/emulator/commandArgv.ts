import type { EmulatorCommand, EmulatorCommandArgs } from '../../protocol';

/** A command's arguments are wrong: the answer says so (exit 2), the session is untouched. */
export class BadArguments extends Error {}

function text(args: EmulatorCommandArgs, key: 'name' | 'path' | 'function'): string {
  const value = args[key];
  if (typeof value !== 'string' || !value) throw new BadArguments(`'${key}' must be a non-empty string`);
  return value;
}

const nodeps = (args: EmulatorCommandArgs): string[] => (args.nodeps === true ? ['--nodeps'] : []);

function callArguments(args: EmulatorCommandArgs): string[] {
  const values = args.args ?? [];
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'number' && typeof v !== 'string'))
    throw new BadArguments("'args' must be an array of integers and str:TEXT strings");
  return values.map(String);
}

/** The session command (xen-livepatch's words, or call / dump / reset) an LSP command stands for. */
export const commandArgv: Record<EmulatorCommand, (args: EmulatorCommandArgs) => string[]> = {
  upload: (a) => ['upload', text(a, 'name'), text(a, 'path')],
  apply: (a) => ['apply', text(a, 'name'), ...nodeps(a)],
  revert: (a) => ['revert', text(a, 'name')],
  replace: (a) => ['replace', text(a, 'name')],
  unload: (a) => ['unload', text(a, 'name')],
  load: (a) => ['load', text(a, 'path'), ...nodeps(a)],
  list: () => ['list'],
  call: (a) => ['call', text(a, 'function'), ...callArguments(a)],
  dump: () => ['dump'],
  reset: () => ['reset'],
};

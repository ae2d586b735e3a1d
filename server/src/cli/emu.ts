import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { commandLine, SessionResult, XenSession } from '../emulator/xen';
import { bundledSampleTarget, bundledSampleTargetHint } from '../target/bundledSampleTarget';
import { clampLimit, LimitName, limitSpecs } from '../limits';
import { CliCommand, CliError, CliIo, ExitCode } from './command';
import { parseSession, SessionStep } from './emuScript';

const usage = `Usage: livepatch-lens emu [--target ELF] [--object FILE.o]... [--script FILE] [--json] [--echo] COMMAND [-- COMMAND]...

Boots the target as an emulated Xen hypervisor and runs the commands in one session, in order,
on the same hypervisor. Commands are those of xen-livepatch, with its output and exit codes
(0 success, 1 error, 2 try again: EAGAIN / EBUSY):

  upload NAME FILE          upload a payload (state CHECKED)
  list                      the payloads, their state and metadata
  apply NAME [--nodeps]     apply (--nodeps: check only the hypervisor's build-id)
  revert NAME               revert (only the top of the applied stack)
  replace NAME              revert every applied payload, then apply NAME
  unload NAME               unload a CHECKED payload
  load FILE [--nodeps]      upload as FILE's base name, then apply (unloaded again if that fails)

and the emulator's own:

  call FUNCTION [ARGS...] [--string]
                            run a function of the target or a payload; prints rax, the string
                            it points to (when it points to printable text; --string: always
                            read one), and the guest's output. Exit 0 returned, 1 guest fault,
                            2 unknown function or bad argument. ARGS are integers (decimal, 0x
                            hex, negative) or str:TEXT for a pointer to a guest copy of TEXT
  dump                      debug key 'x': every payload, its functions and build-ids
  reset                     reboot the hypervisor (a panicked one too): no payloads

After its output each command prints the (XEN) console lines it caused, as \`xl dmesg\` shows them.

  --target ELF     the hypervisor image (default: the bundled sample target)
  --object FILE.o  a relocatable object loaded and linked after the target at every boot
  --script FILE    commands, one a line, run before those on the command line; # starts a
                   comment line; relative paths are read from FILE's folder
  --echo           print each command (\`$ xen-livepatch ...\`, \`$ emu call ...\`) before its output
                   and \`(exit status N)\` after a failing one; a script's comments and blank lines too
  --json           one JSON object per command and line: {command, exitCode, stdout, stderr,
                   console}, for call also {status, rax, string, output, instructions, fault?}
  --budget N       instructions a call may run (default ${limitSpecs.guestInstructionBudget.default}, at most ${limitSpecs.guestInstructionBudget.ceiling})
  --timeout MS     wall-clock limit of a call in milliseconds (default ${limitSpecs.guestTimeoutMs.default}, at most ${limitSpecs.guestTimeoutMs.ceiling})
  --trace          print every instruction a call executes to stderr

A command prefixed with \`expect N\` must exit with status N (e.g. \`expect 2 revert NAME\` for a
revert out of stack order); other commands must succeed. The session stops at the first command
that does not exit as expected and exits with its status (1 if it succeeded unexpectedly);
otherwise it exits 0. Usage errors and an unreadable target or script exit 2.

Examples:
  livepatch-lens emu call xen_extra_version
  livepatch-lens emu load xen_hello_world.livepatch -- call xen_extra_version -- list
  livepatch-lens emu --echo --script samples/demo.xlp`;

const valueOptions = new Set(['--target', '--object', '--script', '--budget', '--timeout']);
const flagOptions = new Set(['--json', '--echo', '--trace']);

interface Options {
  values: Map<string, string[]>;
  flags: Set<string>;
  /** What is left: the commands, separated by `--`. */
  words: string[];
}

/**
 * Takes the session's options out wherever they are (`call f --json` has always worked); the
 * rest, command flags like --nodeps and --string included, belongs to the commands.
 */
function splitOptions(args: string[]): Options {
  const options: Options = { values: new Map(), flags: new Set(), words: [] };
  for (let i = 0; i < args.length; i++) {
    const [name, inline] =
      args[i].startsWith('--') && args[i].includes('=') ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)] : [args[i], undefined];
    if (flagOptions.has(name) && inline === undefined) options.flags.add(name);
    else if (valueOptions.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new CliError(`${name} needs a value\n${usage}`);
      options.values.set(name, [...(options.values.get(name) ?? []), value]);
    } else options.words.push(args[i]);
  }
  return options;
}

/** A positive integer option, capped at its limit's ceiling (saying so on stderr): no user value makes a run unbounded. */
function cappedInteger(io: CliIo, name: string, limit: LimitName, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new CliError(`${name} expects a positive integer, got '${text}'`);
  const capped = clampLimit(limit, value);
  if (capped < value) io.err(`livepatch-lens emu: ${name} ${text} is more than the ceiling of ${capped} ${limitSpecs[limit].what}; using ${capped}`);
  return capped;
}

function readScript(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the script ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** The exit status a step must have, and what the session ends with when it does not. */
function verdict(step: SessionStep & { kind: 'command' }, result: SessionResult): ExitCode | undefined {
  if (result.exitCode === step.expect) return undefined;
  return result.exitCode === 0 ? ExitCode.Findings : result.exitCode;
}

function printText(io: CliIo, result: SessionResult, echo: boolean): void {
  const text = (s: string) => s.replace(/\n$/, '');
  if (echo) io.out(`$ ${commandLine(result.command)}`);
  if (result.stdout) io.out(text(result.stdout));
  if (result.stderr) io.err(text(result.stderr));
  if (result.console.length) io.out(result.console.join('\n'));
  if (echo && result.exitCode !== 0) io.out(`(exit status ${result.exitCode})`);
}

/** One `--json` line: the command's result, with its call report's fields beside them. */
export type EmuJsonLine = Omit<SessionResult, 'call'> & Partial<NonNullable<SessionResult['call']>>;

function printJson(io: CliIo, result: SessionResult): void {
  const { call, ...rest } = result;
  const line: EmuJsonLine = { ...rest, ...call };
  io.out(JSON.stringify(line));
}

function run(args: string[], io: CliIo): ExitCode {
  const { values, flags, words } = splitOptions(args);
  const single = (name: string) => values.get(name)?.at(-1);
  const target = single('--target') ?? bundledSampleTarget();
  if (!target) throw new CliError(bundledSampleTargetHint);
  const script = single('--script');
  const steps = [...(script ? parseSession(readScript(script), script) : []), ...parseSession(words, 'the command line')];
  if (!steps.some((s) => s.kind === 'command')) throw new CliError(`no command given\n${usage}`);
  const echo = flags.has('--echo') && !flags.has('--json');
  const session = new XenSession({
    target,
    objects: values.get('--object') ?? [],
    baseDir: script ? path.dirname(script) : '.',
    budget: cappedInteger(io, '--budget', 'guestInstructionBudget', single('--budget')),
    timeoutMs: cappedInteger(io, '--timeout', 'guestTimeoutMs', single('--timeout')),
    ...(flags.has('--trace') ? { trace: (line: string) => io.err(line) } : {}),
  });
  for (const step of steps) {
    if (step.kind === 'comment') {
      if (echo) io.out(step.text);
      continue;
    }
    const result = session.run(step.argv);
    if (flags.has('--json')) printJson(io, result);
    else printText(io, result, echo);
    const stop = verdict(step, result);
    if (stop !== undefined) {
      if (step.expect !== 0) io.err(`livepatch-lens emu: '${commandLine(step.argv)}' exited ${result.exitCode}, expected ${step.expect}`);
      return stop;
    }
  }
  return ExitCode.Ok;
}

export const emuCommand: CliCommand = {
  name: 'emu',
  summary: 'an emulated Xen hypervisor: xen-livepatch commands, call a function, dump, reset',
  usage,
  run,
};

import * as path from 'node:path';
import { readElf } from '../elf';
import { runtimeFactory } from '../emulator/runtimes';
import { EmulatorSession } from '../emulator/session';
import { PokeProtocol, pokeProtocols } from '../emulator/smp/cpuSet';
import { MAX_CPUS } from '../emulator/smp/smp';
import { commandLine, guessRuntime, RuntimeName } from '../scenario/dialect';
import type { ScenarioCommand } from '../scenario/command';
import { commandsOf } from '../scenario/parse';
import { runScenario, ScenarioJsonLine } from '../scenario/runner';
import { bundledSampleTarget, bundledSampleTargetHint } from '../target/bundledSampleTarget';
import { clampLimit, LimitName, limitSpecs } from '../limits';
import { CliCommand, CliError, CliIo, ExitCode } from './command';
import { scenarioSteps } from './emuScript';
import { runtimeOption, splitSessionOptions } from './sessionOptions';

const usage = `Usage: livepatch-lens emu [--runtime xen|linux] [--target ELF] [--object FILE.o]... [--script FILE] [--json] [--echo]
       [--cpus N] [--seed S] [--poke xen|linux|naive] [--nmi-rate R] [--timer N] [--ipi] COMMAND [-- COMMAND]...

Boots the target as an emulated Xen hypervisor (or, --runtime linux, a Linux kernel) and runs the
commands in one session, in order, on the same machine. The scenario language is in
docs/scenario.md. Xen's commands are those of xen-livepatch (bare, or written out as
\`xen-livepatch list\`), with its output and exit codes (0 success, 1 error, 2 try again: EAGAIN / EBUSY):

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
  run CPU FUNCTION [ARGS...] [--loop]
                            CPU (1..N-1) runs FUNCTION, over and over with --loop, beside CPU 0
  stop CPU                  ends CPU's job and prints what its calls returned
  nmi CPU [after N]         an NMI to CPU, now or after N more ticks (its instructions; on CPU 0,
                            steps of the patching code); delivered to the target's do_nmi()
  mce CPU [after N]         the same for a machine check, to do_machine_check()

Linux's are a root shell's: insmod FILE [param=value]..., rmmod NAME, echo VALUE > PATH,
cat PATH, sleep SECONDS, dmesg [-c], ps; and the emulator's call (with --pid PID: run as that
task, so a patched function goes where that task's patch_state sends it; default the idle
task), dump (ps into the kernel log) and reset.

After its output each command prints the log lines it caused: (XEN) console lines as \`xl dmesg\`
shows them, kernel log lines as \`dmesg\` does.

  --runtime R      xen or linux; default linux when a command names a .ko or is insmod/rmmod,
                   or the target is a Linux kernel (it has __ksymtab), else xen
  --target ELF     the hypervisor or kernel image (default: the bundled sample target)
  --object FILE.o  a relocatable object loaded and linked after the target at every boot
  --script FILE    commands, one a line, run before those on the command line; # starts a
                   comment; "double" and 'single' quotes; relative paths are read from FILE's folder
  --echo           print each command (\`$ xen-livepatch ...\`, \`$ emu call ...\`) before its output
                   and \`(exit status N)\` after a failing one; a script's comments and blank lines too
  --json           one JSON object per command and line: {command, stdout, stderr, exitCode, seed,
                   console (Xen) or log (Linux)}, for call also {status, rax, string, output,
                   instructions, fault?}
  --budget N       instructions a call may run (default ${limitSpecs.guestInstructionBudget.default}, at most ${limitSpecs.guestInstructionBudget.ceiling})
  --timeout MS     wall-clock limit of a call in milliseconds (default ${limitSpecs.guestTimeoutMs.default}, at most ${limitSpecs.guestTimeoutMs.ceiling})
  --trace          print every instruction a call executes to stderr
  --cpus N         CPUs of the machine (default 2, at most 64); CPU 0 runs the commands
  --seed S         the seed of the scheduler that interleaves the CPUs (default 1): a run is
                   exactly repeatable by its seed, which every note of another CPU prints
  --poke P         how live patches are written while other CPUs run: xen (the rendezvous,
                   NMIs masked), linux (text_poke_bp) or naive (byte by byte); default the runtime's
  --nmi-rate R     NMIs drawn from the seed: R per 1000 instructions of each CPU on average (0..1000)
  --timer N        a timer interrupt every N instructions of each CPU (1..1000000), the first at
                   a point drawn from the seed, to the target's timer_interrupt (held while IRQs are off)
  --ipi            the protocols' IPIs go to the target's call_function_interrupt: Xen's rendezvous
                   kick, each sync of text_poke_bp (which waits until every CPU has taken it)

A command prefixed with \`expect N\` must exit with status N (e.g. \`expect 2 revert NAME\` for a
revert out of stack order); other commands must succeed. The session stops at the first command
that does not exit as expected and exits with its status (1 if it succeeded unexpectedly);
otherwise it exits 0. Usage errors and an unreadable target or script exit 2.

Examples:
  livepatch-lens emu call xen_extra_version
  livepatch-lens emu load xen_hello_world.livepatch -- call xen_extra_version -- list
  livepatch-lens emu --echo --script samples/demo.xlp
  livepatch-lens emu --runtime linux insmod livepatch-sample.ko -- cat /proc/cmdline`;

const spec = {
  values: new Set(['--runtime', '--target', '--object', '--script', '--budget', '--timeout', '--cpus', '--seed', '--poke', '--nmi-rate', '--timer']),
  flags: new Set(['--json', '--echo', '--trace', '--ipi']),
};

/** A positive integer option, capped at its limit's ceiling (saying so on stderr): no user value makes a run unbounded. */
function cappedInteger(io: CliIo, name: string, limit: LimitName, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new CliError(`${name} expects a positive integer, got '${text}'`);
  const capped = clampLimit(limit, value);
  if (capped < value) io.err(`livepatch-lens emu: ${name} ${text} is more than the ceiling of ${capped} ${limitSpecs[limit].what}; using ${capped}`);
  return capped;
}

/**
 * --runtime, else what a --target or the commands say (dialect.ts guessRuntime). The bundled
 * sample target plays both a hypervisor and a kernel, so only a given target counts.
 */
function chooseRuntime(given: string | undefined, target: string | undefined, commands: readonly ScenarioCommand[], objects: string[]): RuntimeName {
  if (given !== undefined) return runtimeOption(given);
  return target !== undefined && isLinuxKernel(target) ? 'linux' : guessRuntime(commands, objects);
}

/** A kernel image exports symbols (`__ksymtab`), a hypervisor does not; an unreadable target is for the session to report. */
function isLinuxKernel(target: string): boolean {
  try {
    const elf = readElf(target);
    try {
      return elf.sections.some((s) => s.name === '__ksymtab');
    } finally {
      elf.close();
    }
  } catch {
    return false;
  }
}

/** --cpus, --seed, --poke, --nmi-rate, --timer and --ipi, checked. */
function smpOptions(
  single: (name: string) => string | undefined,
  flags: ReadonlySet<string>,
): { cpus?: number; seed?: number; poke?: PokeProtocol; nmiRate?: number; timerPeriod?: number; ipis?: boolean } {
  const cpus = single('--cpus');
  const timer = single('--timer');
  if (timer !== undefined && !(/^\d+$/.test(timer) && Number(timer) >= 1 && Number(timer) <= 1_000_000)) throw new CliError(`--timer expects 1..1000000, got '${timer}'`);
  const nmiRate = single('--nmi-rate');
  if (nmiRate !== undefined && !(/^\d+(\.\d+)?$/.test(nmiRate) && Number(nmiRate) <= 1000)) throw new CliError(`--nmi-rate expects a number 0..1000, got '${nmiRate}'`);
  const seed = single('--seed');
  const poke = single('--poke');
  if (cpus !== undefined && !(/^\d+$/.test(cpus) && Number(cpus) >= 1 && Number(cpus) <= MAX_CPUS)) throw new CliError(`--cpus expects 1..${MAX_CPUS}, got '${cpus}'`);
  if (seed !== undefined && !(/^\d+$/.test(seed) && Number(seed) <= 0xffffffff)) throw new CliError(`--seed expects an integer 0..4294967295, got '${seed}'`);
  if (poke !== undefined && !(pokeProtocols as readonly string[]).includes(poke)) throw new CliError(`--poke expects ${pokeProtocols.join(', ')}, got '${poke}'`);
  return {
    ...(cpus !== undefined ? { cpus: Number(cpus) } : {}),
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(poke !== undefined ? { poke: poke as PokeProtocol } : {}),
    ...(nmiRate !== undefined ? { nmiRate: Number(nmiRate) } : {}),
    ...(timer !== undefined ? { timerPeriod: Number(timer) } : {}),
    ...(flags.has('--ipi') ? { ipis: true } : {}),
  };
}

/** One `--json` line: the command's words and result, with its call report's fields beside them. */
export type EmuJsonLine = ScenarioJsonLine & { command: string[]; console: string[] };

function run(args: string[], io: CliIo): ExitCode {
  const { values, flags, words } = splitSessionOptions(args, spec, usage);
  const single = (name: string) => values.get(name)?.at(-1);
  const target = single('--target') ?? bundledSampleTarget();
  if (!target) throw new CliError(bundledSampleTargetHint);
  const script = single('--script');
  const steps = scenarioSteps(script, words);
  const commands = commandsOf(steps);
  if (!commands.length) throw new CliError(`no command given\n${usage}`);
  const objects = values.get('--object') ?? [];
  const runtime = chooseRuntime(single('--runtime'), single('--target'), commands, objects);
  const session = new EmulatorSession(runtimeFactory(runtime), {
    target,
    objects,
    baseDir: script ? path.dirname(script) : '.',
    budget: cappedInteger(io, '--budget', 'guestInstructionBudget', single('--budget')),
    timeoutMs: cappedInteger(io, '--timeout', 'guestTimeoutMs', single('--timeout')),
    ...(flags.has('--trace') ? { trace: (line: string) => io.err(line) } : {}),
    ...smpOptions(single, flags),
  });
  return runScenario(steps, session, io, {
    json: flags.has('--json'),
    echo: flags.has('--echo'),
    display: (command) => commandLine(command, runtime),
    logKey: runtime === 'xen' ? 'console' : 'log',
    program: 'livepatch-lens emu',
    seed: session.seed,
  });
}

export const emuCommand: CliCommand = {
  name: 'emu',
  summary: 'an emulated Xen hypervisor or Linux kernel: a scenario of xen-livepatch or shell commands, call a function, dump, reset',
  usage,
  run,
};

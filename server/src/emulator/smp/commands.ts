import { EmulatorError } from '../faults';
import type { RuntimeOutput } from '../runtime';
import { parseArgument } from '../sessionCall';
import { interruptName } from './interrupts';
import type { Smp } from './smp';
import { InterruptKind, SmpCpu } from './smpCpu';

// The scenario commands of the other CPUs, on either runtime: run a function there (once or
// in a loop), stop it with its tally of results, raise an NMI or #MC now or after N ticks.

const usage: Record<string, string> = {
  run: 'usage: run CPU FUNCTION [ARGS...] [--loop]  (CPU 1..N-1; CPU 0 runs the commands: use call)',
  stop: 'usage: stop CPU',
  nmi: 'usage: nmi CPU [after N]',
  mce: 'usage: mce CPU [after N]',
};

export function runSmpCommand(smp: Smp, argv: string[]): RuntimeOutput {
  const [verb, ...args] = argv;
  try {
    if (verb === 'run') return run(smp, args);
    if (verb === 'stop') return stop(smp, args);
    return raise(smp, verb as InterruptKind, args);
  } catch (error) {
    if (!(error instanceof EmulatorError)) throw error;
    return { stdout: '', stderr: `${error.message}\n${usage[verb]}\n`, exitCode: 2 };
  }
}

function cpuArgument(smp: Smp, text: string | undefined, verb: string): SmpCpu {
  if (text === undefined || !/^\d+$/.test(text)) throw new EmulatorError(`${verb}: expected a CPU number, got ${text === undefined ? 'nothing' : `'${text}'`}`);
  return smp.cpu(Number(text));
}

function run(smp: Smp, args: string[]): RuntimeOutput {
  const loop = args.includes('--loop');
  const [cpuText, name, ...rest] = args.filter((a) => a !== '--loop');
  const cpu = cpuArgument(smp, cpuText, 'run');
  if (cpu.id === 0) throw new EmulatorError("run: CPU 0 runs the scenario's commands");
  if (!name) throw new EmulatorError('run: no function named');
  if (cpu.job) throw new EmulatorError(`run: CPU${cpu.id} already runs ${cpu.job.name}; stop it first`);
  const address = smp.machine.resolve(name);
  cpu.job = { address, name, args: rest.map((a) => parseArgument(smp.machine, a)), loop };
  cpu.results.clear();
  cpu.calls = 0;
  smp.round();
  return { stdout: `CPU${cpu.id}: runs ${name}${loop ? ' in a loop' : ''} (seed ${smp.seed})\n`, stderr: '', exitCode: 0 };
}

/** Ends the CPU's job (a call under way is abandoned) and prints what its calls returned. */
function stop(smp: Smp, args: string[]): RuntimeOutput {
  const cpu = cpuArgument(smp, args[0], 'stop');
  const name = cpu.job?.name;
  if (cpu.inCall) cpu.task.reset();
  cpu.job = undefined;
  cpu.inCall = false;
  // Back in its idle loop, which runs with interrupts on.
  cpu.irqs = true;
  const tally = [...cpu.results].map(([result, count]) => `  ${count} x ${result}`);
  const head = `CPU${cpu.id}: stopped${name ? ` ${name}` : ''} after ${cpu.calls} calls (seed ${smp.seed})`;
  return { stdout: `${[head, ...tally].join('\n')}\n`, stderr: '', exitCode: 0 };
}

function raise(smp: Smp, kind: InterruptKind, args: string[]): RuntimeOutput {
  const cpu = cpuArgument(smp, args[0], kind);
  let after = 0;
  if (args.length > 1) {
    if (args[1] !== 'after' || args.length !== 3 || !/^\d+$/.test(args[2])) throw new EmulatorError(`${kind}: expected 'after N' after the CPU`);
    after = Number(args[2]);
  }
  smp.raise(cpu, kind, after);
  const when = after > 0 ? `after ${after} ticks (instructions, or steps of the patching code on CPU 0)` : 'now';
  return { stdout: `CPU${cpu.id}: ${interruptName(kind)} ${after > 0 ? 'raised' : 'delivered'} ${when} (seed ${smp.seed})\n`, stderr: '', exitCode: 0 };
}

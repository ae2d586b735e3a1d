import { parseArgs } from 'node:util';
import { ElfError } from '../elf';
import { EmulatorError, LoaderError, Machine } from '../emulator';
import { bundledSampleTarget, bundledSampleTargetHint } from '../target/bundledSampleTarget';
import { CliCommand, CliError, CliIo, ExitCode } from './command';

const usage = `Usage: livepatch-lens emu [--target ELF] [--object FILE.o]... [options] call FUNCTION [ARGS...]

Runs a function of the target (and of extra relocatable objects, linked against it) in the
embedded x86-64 emulator and prints its return value and what the guest printed.

  --target ELF     the linked image to load (default: the bundled sample target)
  --object FILE.o  a relocatable object to load and link after the target (repeatable)
  --string         also print the return value as a NUL-terminated guest string
  --json           print {"rax": "0x...", "string": ..., "output": ..., "instructions": N}
  --budget N       instruction budget (default 50000000)
  --timeout MS     wall-clock limit in milliseconds (default 10000)
  --trace          print every executed instruction to stderr

ARGS are integers (decimal, 0x hex, negative two's complement) or str:TEXT for a pointer to a
guest copy of TEXT. Example: livepatch-lens emu call xen_extra_version --string

Exit status: 0 the function returned, 1 the guest faulted, 2 usage or I/O error.`;

function parseArgument(machine: Machine, text: string): bigint {
  if (text.startsWith('str:')) {
    const value = text.slice(4);
    const address = machine.allocate(BigInt(value.length + 1), `argument "${value.slice(0, 20)}"`);
    machine.memory.writeCString(address, value);
    return address;
  }
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(text)) throw new CliError(`bad argument '${text}': expected an integer or str:TEXT`);
  const negative = text.startsWith('-');
  const value = BigInt(negative ? text.slice(1) : text);
  return BigInt.asUintN(64, negative ? -value : value);
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new CliError(`--${name} expects a positive integer, got '${text}'`);
  return value;
}

function load(machine: Machine, target: string | undefined, objects: string[]): void {
  const path = target ?? bundledSampleTarget();
  if (!path) throw new CliError(bundledSampleTargetHint);
  try {
    machine.loadTarget(path);
    for (const object of objects) machine.loadObject(object);
  } catch (error) {
    if (error instanceof ElfError || error instanceof LoaderError || error instanceof EmulatorError) throw new CliError(error.message);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`cannot open ${(error as NodeJS.ErrnoException).path ?? 'file'}`);
    throw error;
  }
}

async function run(args: string[], io: CliIo): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        target: { type: 'string' },
        object: { type: 'string', multiple: true, default: [] },
        string: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        budget: { type: 'string' },
        timeout: { type: 'string' },
        trace: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [verb, fn, ...rest] = positionals;
  if (verb !== 'call' || !fn) throw new CliError(`expected 'call FUNCTION [ARGS...]'\n${usage}`);
  const budget = positiveInteger('budget', values.budget, 50_000_000);
  const timeoutMs = positiveInteger('timeout', values.timeout, 10_000);

  const machine = new Machine();
  load(machine, values.target, values.object ?? []);
  const callArgs = rest.map((a) => parseArgument(machine, a));
  if (values.trace) machine.cpu.trace = (address, text) => io.err(`${machine.describe(address).padEnd(32)} ${text}`);
  let result;
  try {
    result = machine.call(fn, callArgs, { budget, timeoutMs });
  } catch (error) {
    if (error instanceof EmulatorError) throw new CliError(error.message);
    throw error;
  }
  const string = values.string && result.status === 'returned' ? readString(machine, result.rax) : null;
  if (values.json) {
    io.out(JSON.stringify({
      rax: `0x${result.rax.toString(16)}`,
      string,
      output: result.output,
      instructions: result.instructions,
      ...(result.fault ? { fault: result.fault.report() } : {}),
    }));
  } else {
    if (result.output) io.out(result.output);
    if (result.fault) {
      io.err(result.fault.report());
    } else {
      io.out(`rax = 0x${result.rax.toString(16)} (${BigInt.asIntN(64, result.rax)})`);
      if (string !== null) io.out(`string = ${JSON.stringify(string)}`);
      io.out(`${result.instructions} instructions`);
    }
  }
  return result.status === 'returned' ? ExitCode.Ok : ExitCode.Findings;
}

function readString(machine: Machine, address: bigint): string | null {
  try {
    return machine.memory.readCString(address, 1 << 16);
  } catch {
    return null;
  }
}

export const emuCommand: CliCommand = {
  name: 'emu',
  summary: 'run a target function in the embedded x86-64 emulator',
  usage,
  run,
};

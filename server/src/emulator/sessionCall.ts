import type { CallDetails } from '../scenario/result';
import { EmulatorError } from './faults';
import { Machine } from './machine';
import type { LivepatchRuntime, RuntimeOutput } from './runtime';

/** What `call` reports besides its text: for JSON and the editor. */
export type CallReport = CallDetails;

const usage = 'usage: call FUNCTION [ARGS...] [--string] [--pid PID (Linux)]; ARGS are integers or str:TEXT\n';

/**
 * `call FUNCTION [ARGS...]` on the runtime's machine: exit 0 when it returned, 1 when the
 * guest faulted or the runtime is dead, 2 for a usage error (unknown function, bad argument),
 * as `livepatch-lens emu call` always did. `--string` reads rax as a string even when it is not
 * printable text; without it a string is shown only when rax points to printable text.
 */
export function callFunction(runtime: LivepatchRuntime, args: string[], limits: { budget?: number; timeoutMs?: number }): RuntimeOutput & { call?: CallReport } {
  const forceString = args.includes('--string');
  const halted = runtime.halted();
  if (halted) return { stdout: '', stderr: `${halted}; reset it\n`, exitCode: 1 };
  const machine = runtime.machine;
  let result;
  try {
    const context = runtime.callContext?.(args.filter((a) => a !== '--string')) ?? { args: args.filter((a) => a !== '--string'), around: <T>(call: () => T): T => call() };
    const [fn, ...rest] = context.args;
    if (!fn) return { stdout: '', stderr: usage, exitCode: 2 };
    result = context.around(() =>
      machine.call(
        fn,
        rest.map((a) => parseArgument(machine, a)),
        { budget: limits.budget, timeoutMs: limits.timeoutMs },
      ),
    );
  } catch (error) {
    if (!(error instanceof EmulatorError)) throw error;
    return { stdout: '', stderr: `${error.message}\n${usage}`, exitCode: 2 };
  }
  const string = result.status === 'returned' ? readString(machine, result.rax, forceString) : null;
  const call: CallReport = {
    status: result.status,
    rax: `0x${result.rax.toString(16)}`,
    string,
    output: result.output,
    instructions: result.instructions,
    ...(result.fault ? { fault: result.fault.report() } : {}),
  };
  const lines = [`rax = ${call.rax} (${BigInt.asIntN(64, result.rax)})`, ...(string !== null ? [`string = ${JSON.stringify(string)}`] : []), `${result.instructions} instructions`];
  return {
    stdout: result.output + (result.fault ? '' : `${lines.join('\n')}\n`),
    stderr: result.fault ? `${result.fault.report()}\n` : result.status === 'stopped' ? `the guest stopped: ${result.stopReason}\n` : '',
    exitCode: result.status === 'returned' ? 0 : 1,
    call,
  };
}

/** An integer (decimal, 0x hex, negative as two's complement) or str:TEXT, a pointer to a guest copy of TEXT. */
export function parseArgument(machine: Machine, text: string): bigint {
  if (text.startsWith('str:')) {
    const value = text.slice(4);
    const address = machine.allocate(BigInt(value.length + 1), `argument "${value.slice(0, 20)}"`);
    machine.memory.writeCString(address, value);
    return address;
  }
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(text)) throw new EmulatorError(`bad argument '${text}': expected an integer or str:TEXT`);
  const negative = text.startsWith('-');
  const value = BigInt(negative ? text.slice(1) : text);
  return BigInt.asUintN(64, negative ? -value : value);
}

const printable = /^[\x20-\x7e\t\n]+$/;

function readString(machine: Machine, address: bigint, force: boolean): string | null {
  const max = force ? 1 << 16 : 4096;
  try {
    const text = machine.memory.readCString(address, max);
    // readCString stops at `max` without a NUL: that is no string.
    if (text.length === max) return null;
    return force || printable.test(text) ? text : null;
  } catch {
    return null;
  }
}

import { EmulatorSession, runtimeFactory, SessionCommandResult } from '../../../../server/out/emulator';
import type { EmulatorSessionOptions } from '../../../../server/out/emulator';
import { commandsOf, parseScript } from '../../../../server/out/scenario/parse';
import { run } from '../samples/binutils';

// The other CPUs of an emulated real image (issue 17 item 1 on the user's own image): a session
// on it, its scenario commands, and what they printed, for xenSymsCpus and vmlinuxCpus.

/** A session on the image, booted (a session boots at its first command): its CPUs and memory are there. */
export function realSession(runtime: 'xen' | 'linux', target: string, options: Partial<EmulatorSessionOptions> = {}): EmulatorSession {
  const session = new EmulatorSession(runtimeFactory(runtime), { target, ...options });
  runLines(session, 'dump');
  return session;
}

/** Runs each line of `script` (a scenario) in the session. */
export function runLines(session: EmulatorSession, script: string): SessionCommandResult[] {
  return commandsOf(parseScript(script, 'test')).map((command) => session.run(command));
}

/** The values a `stop CPU` tallied: what the CPU's calls returned. */
export function tallied(stop: SessionCommandResult): bigint[] {
  return [...stop.stdout.matchAll(/^ {2}\d+ x (0x[0-9a-f]+)/gm)].map((m) => BigInt(m[1]));
}

/** What a `call` returned. */
export function returned(call: SessionCommandResult): bigint {
  const match = /^rax = (0x[0-9a-f]+)/m.exec(call.stdout);
  if (!match) throw new Error(`no rax in: ${call.stdout}${call.stderr}`);
  return BigInt(match[1]);
}

/** `nm` of an image, run once: a symbol's address. */
export function nmOf(file: string): (name: string) => bigint {
  const text = run('nm', [file]);
  return (name) => {
    const match = new RegExp(`^([0-9a-f]{16}) \\w ${name}$`, 'm').exec(text);
    if (!match) throw new Error(`nm ${file}: no ${name}`);
    return BigInt(`0x${match[1]}`);
  };
}

/** objdump's disassembly of the first `bytes` bytes of a function at `address`. */
export function disassembly(file: string, address: bigint, bytes: number): string {
  return run('objdump', ['-d', '--no-show-raw-insn', `--start-address=0x${address.toString(16)}`, `--stop-address=0x${(address + BigInt(bytes)).toString(16)}`, file]);
}

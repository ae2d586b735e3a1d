import type { ThrownError } from './worker';

/** Where faults are raised for every caller: the frame that matters is the one that called them. */
const raisers = /^(emulator\/memory|emulator\/faults|elf\/errors|elf\/byteSource)\.js$/;

/**
 * The innermost frame of the engine on a stack (`function (path under server/out)`) that is not
 * a shared fault raiser, without line numbers, so the same bug found from many inputs has one
 * signature and survives edits.
 */
export function topProjectFrame(stack: string): string {
  const frames = stack.split('\n').flatMap((line) => {
    const match = /at (?:(\S+) \()?.*?\/server\/out\/([^:)]+)/.exec(line);
    return match ? [{ fn: match[1] ?? '<anonymous>', file: match[2] }] : [];
  });
  const frame = frames.find((f) => !raisers.test(f.file)) ?? frames[0];
  return frame ? `${frame.fn} (${frame.file})` : 'no project frame';
}

/** Error class + innermost project frame + the step it escaped from. */
export function thrownSignature(kind: string, step: string, error: ThrownError): string {
  return `${kind}: ${error.name} escaped from ${step} at ${topProjectFrame(error.stack)}`;
}

/** For deaths and hangs there is no stack: the step and what the mutations did. */
export function boundSignature(kind: string, step: string, bound: string, mutations: string[]): string {
  const kinds = mutations.map((m) => m.replace(/\[\d+ ?/g, '[').replace(/\+0x[0-9a-f]+/, '+N'));
  return `${kind}: ${bound} in ${step} [${[...new Set(kinds)].sort().join(', ')}]`;
}

/** Message problems: numbers and names out, so one wording is one signature. */
export function messageSignature(kind: string, problem: string): string {
  return `${kind}: message: ${problem
    .replace(/0x[0-9a-f]+/g, '0xN')
    .replace(/\b\d+\b/g, 'N')
    .replace(/'[^']*'/g, "'…'")}`;
}

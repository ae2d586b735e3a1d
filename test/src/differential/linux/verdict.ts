import { guestFilesDir } from '../../../../server/out/machines/guestFiles';
import type { CommandResult } from '../../../../server/out/scenario/result';
import type { Verdict } from '../core/variant';

/** What a loader said of one variant's `insmod`, as the two machines are compared. */
export interface LinuxVerdict {
  accepted: boolean;
  /** The errno init_module(2) returned, named, as far as kmod's words tell it. */
  errno?: string;
  /** kmod's `insmod: ERROR: could not insert module FILE: REASON`, FILE without its folder. */
  error?: string;
  /** The kernel's lines for the insmod, normalised (stamps, the once-a-boot taint notices and machine values gone). */
  kernel: string[];
  /** Set when the kernel oopsed or warned: the machine was rebooted (real) or reset (emulator) after it. */
  broken?: string;
}

/** kmod's mod_strerror() words, and glibc's for the rest, back to the errno. */
const errnoOfWords: Record<string, string> = {
  'Invalid module format': 'ENOEXEC',
  'Unknown symbol in module': 'ENOENT',
  'Module has wrong symbol version': 'ESRCH',
  'Invalid parameters': 'EINVAL',
  'Exec format error': 'ENOEXEC',
  'No such file or directory': 'ENOENT',
  'Invalid argument': 'EINVAL',
  'File exists': 'EEXIST',
  'Cannot allocate memory': 'ENOMEM',
  'Operation not permitted': 'EPERM',
  'No such device': 'ENODEV',
  'Device or resource busy': 'EBUSY',
  'Bad address': 'EFAULT',
  'Key was rejected by service': 'EKEYREJECTED',
  'Required key not available': 'ENOKEY',
};

/**
 * Lines every loaded module may print once per boot (the first out-of-tree, livepatch and
 * unsigned module taints the kernel): the real machine loads hundreds of variants in one boot,
 * the emulator boots afresh for each, so whether they show says which variant came first.
 */
const oncePerBoot = [
  /: loading out-of-tree module taints kernel\.$/,
  /: tainting kernel with TAINT_LIVEPATCH$/,
  /: module verification failed: signature and\/or required key missing - tainting kernel$/,
];

/** A kernel line with what is the machine's own made alike: the stamp, hashed pointers and addresses. */
export function normaliseKernelLine(line: string): string {
  return line
    .replace(/^\[\s*\d+\.\d+\] /, '')
    .replace(/\b(0x)?[0-9a-f]{8,16}\b/g, '<hex>')
    .replace(/\(____ptrval____\)/g, '<hex>');
}

/** An oops, a panic, or ftrace turning itself off: the kernel cannot judge the next variant. */
export const brokenKernel = /\b(BUG|Oops|general protection fault|Kernel panic)\b|ftrace (faulted|failed)/;

export function verdictOf(result: Pick<CommandResult, 'stderr' | 'exitCode' | 'log'>): LinuxVerdict {
  const error = result.stderr
    .split('\n')
    .find((l) => l.startsWith('insmod: '))
    ?.split(`${guestFilesDir}/`)
    .join('');
  const words = error?.match(/^insmod: ERROR: could not insert module [^:]+: (.*)$/)?.[1];
  const kernel = result.log.map(normaliseKernelLine).filter((l) => !oncePerBoot.some((p) => p.test(l)));
  const broken = kernel.find((l) => brokenKernel.test(l));
  return {
    accepted: result.exitCode === 0,
    ...(words ? { errno: errnoOfWords[words] ?? words } : {}),
    ...(error ? { error } : result.exitCode !== 0 ? { error: `exit ${result.exitCode}: ${result.stderr.trim()}` } : {}),
    kernel,
    ...(broken ? { broken } : {}),
  };
}

/** The common core's verdict (core/variant.ts): the ERROR line with its file named `<file>`, the kernel's first line. */
export function coreVerdict(v: LinuxVerdict): Verdict {
  const line = v.error?.replace(/^(insmod: ERROR: could not insert module )[^:]+:/, '$1<file>:');
  const number = v.errno && v.errno in errnoNumbers ? errnoNumbers[v.errno] : undefined;
  return {
    outcome: v.broken ? 'crashed' : v.accepted ? 'accepted' : 'refused',
    ...(number !== undefined ? { errno: number } : {}),
    ...(line ? { line } : {}),
    ...(v.kernel[0] !== undefined ? { kernel: v.kernel[0] } : {}),
  };
}

const errnoNumbers: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  ENOEXEC: 8,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOKEY: 126,
  EKEYREJECTED: 129,
};

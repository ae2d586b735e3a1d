import type { FunctionCode, TargetIndex } from '../../target';
import { Finding, startOfFile } from '../finding';
import { PayloadCheck } from './ids';

/** What Xen's own walk of a payload (xenLoader.ts) needs from the hypervisor it loads into. */
export interface XenLoaderEnv {
  /**
   * symbols_lookup_by_name(), then the new symbols of the payloads loaded before. Without it (no
   * target known) every undefined name resolves, near the payload, and no new symbol clashes.
   */
  lookup?(name: string): bigint | undefined;
  /** The running hypervisor's build-id, lowercase hex (xen_build_id_dep); unchecked when absent. */
  buildId?: string;
  /** Where vmalloc_xen() puts the payload: page-aligned, near the hypervisor's text. */
  base: bigint;
}

/** What the checks may know beyond the payload itself. */
export interface PayloadCheckEnv {
  /** The image being patched; target-dependent checks stay quiet without it. */
  target?: TargetIndex;
  /** Reads the target's function code for the patch-site checks (default: the target's ELF, opened for the check). */
  code?: FunctionCode;
  /** The running hypervisor's build-id for `.livepatch.xen_depends` (default: the target's). */
  xenBuildId?: string;
  /**
   * Addresses known once the payload is placed (the emulator's upload), per `.livepatch.funcs`
   * index. Without them, the distance check only judges absolute addresses.
   */
  placement?: (funcIndex: number) => { oldAddress?: bigint; newAddress?: bigint };
  /** The payload's bytes, for Xen's own walk of them (xenLoader.ts); without them it is skipped. */
  bytes?: Buffer;
  /** The hypervisor that walk loads into (the emulator's); default: derived from `target`. */
  xenLoader?: XenLoaderEnv;
}

/** Errno-style result Xen returns for the condition, for the emulator's upload and apply. */
export type XenErrno = 'EINVAL' | 'EOPNOTSUPP' | 'EOVERFLOW' | 'ENOENT' | 'EEXIST' | 'EFAULT' | 'ERANGE' | 'ENOEXEC' | 'ENOMEM';

/** What the emulator's hypervisor does with a refusal: the errno it returns and its console lines. */
export interface XenRefusal {
  errno: XenErrno;
  console?: string[];
  /** When Xen refuses it: at upload (the default), or only when the payload is applied. */
  stage?: 'apply';
}

/**
 * Collects findings for one file; each names its check, its structure and, for Xen, its errno and
 * the console lines Xen prints, so the emulator prints them without reading the prose.
 */
export class FindingSink {
  readonly findings: Finding[] = [];
  private console: string[] = [];

  constructor(readonly file: string) {}

  /** Quotes Xen's console line in a message and keeps it for the finding the next add() makes. */
  xenSays(payloadName: string, text: string): string {
    const line = xenLine(payloadName, text);
    this.console.push(line);
    return `Xen says "${line}"`;
  }

  /** Console lines Xen prints for the next finding, when the message words them differently. */
  xenPrints(payloadName: string, ...texts: string[]): void {
    this.console.push(...texts.map((text) => xenLine(payloadName, text)));
  }

  add(check: PayloadCheck, where: string, message: string, errno?: XenErrno, stage?: XenRefusal['stage']): void {
    const console = this.console;
    this.console = [];
    const refusal: XenRefusal | undefined = errno ? { errno, ...(console.length ? { console } : {}), ...(stage ? { stage } : {}) } : undefined;
    this.findings.push({
      code: check.id,
      severity: check.severity,
      message,
      file: this.file,
      range: startOfFile,
      where,
      ...(refusal ? { data: refusal } : {}),
    });
  }
}

/** Xen prefixes its payload messages with the payload's name. */
const xenLine = (payloadName: string, text: string): string => `livepatch: ${payloadName}: ${text}`;

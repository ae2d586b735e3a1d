import type { TargetIndex } from '../../target';
import { Finding, startOfFile } from '../finding';
import { PayloadCheck } from './ids';

/** What the checks may know beyond the payload itself. */
export interface PayloadCheckEnv {
  /** The image being patched; target-dependent checks stay quiet without it. */
  target?: TargetIndex;
  /** The running hypervisor's build-id for `.livepatch.xen_depends` (default: the target's). */
  xenBuildId?: string;
  /**
   * Addresses known once the payload is placed (the emulator's upload), per `.livepatch.funcs`
   * index. Without them, the distance check only judges absolute addresses.
   */
  placement?: (funcIndex: number) => { oldAddress?: bigint; newAddress?: bigint };
}

/** Errno-style result Xen returns for the condition, for the emulator's upload and apply. */
export type XenErrno = 'EINVAL' | 'EOPNOTSUPP' | 'EOVERFLOW' | 'ENOENT' | 'EEXIST' | 'EFAULT' | 'ERANGE' | 'ENOEXEC';

/** Collects findings for one file; each names its check, its structure and, for Xen, its errno. */
export class FindingSink {
  readonly findings: Finding[] = [];

  constructor(readonly file: string) {}

  add(check: PayloadCheck, where: string, message: string, errno?: XenErrno): void {
    this.findings.push({
      code: check.id,
      severity: check.severity,
      message,
      file: this.file,
      range: startOfFile,
      where,
      ...(errno ? { data: { errno } } : {}),
    });
  }
}

/** Xen prefixes its payload messages with the payload's name. */
export const xenSays = (payloadName: string, text: string): string => `Xen says "livepatch: ${payloadName}: ${text}"`;

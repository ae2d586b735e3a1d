import { checkOpenedPayload } from '../../checks/payload';
import type { XenLoaderEnv } from '../../checks/payload/context';
import { Finding } from '../../checks/finding';
import { limits } from '../../limits';
import { OpenedPayload } from '../../payload';

/** Uploads remembered: a property run uploads one payload into thousands of fresh machines. */
const REMEMBERED = 8;

interface Remembered {
  file: string;
  bytes: Buffer;
  buildId: string;
  base: bigint;
  limits: object;
  /** Every lookup the checks made, in order, and its answer. */
  lookups: [string, bigint | undefined][];
  findings: Finding[];
}

const remembered: Remembered[] = [];

/**
 * The upload-time checks of load_payload_data(), done once per payload, hypervisor and answer
 * of its symbol lookups. The checks are a function of the bytes, the build-id, the placement
 * and what each lookup answers, asked in an order the earlier answers decide: replaying the
 * lookups in order makes the same calls a fresh run makes (a lookup may give a native its stub
 * address), up to the first answer that differs, after which the checks run again.
 */
export function uploadChecks(opened: OpenedPayload, bytes: Buffer, buildId: string, env: XenLoaderEnv): Finding[] {
  const lookup = (name: string): bigint | undefined => env.lookup!(name);
  for (const known of remembered) {
    if (known.file !== opened.file || known.buildId !== buildId || known.base !== env.base || known.limits !== limits() || !known.bytes.equals(bytes)) continue;
    if (known.lookups.every(([name, answer]) => lookup(name) === answer)) return [...known.findings];
  }
  const lookups: [string, bigint | undefined][] = [];
  const recording: XenLoaderEnv = {
    ...env,
    lookup: (name) => {
      const answer = lookup(name);
      lookups.push([name, answer]);
      return answer;
    },
  };
  const findings = checkOpenedPayload(opened, { xenBuildId: buildId, bytes, xenLoader: recording });
  remembered.unshift({ file: opened.file, bytes: Buffer.from(bytes), buildId, base: env.base, limits: limits(), lookups, findings });
  remembered.length = Math.min(remembered.length, REMEMBERED);
  return [...findings];
}

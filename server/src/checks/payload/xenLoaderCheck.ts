import { xenMayDefine } from '../../target/xenSymbolView';
import { Finding, findingText } from '../finding';
import { FindingSink, PayloadCheckEnv, XenRefusal } from './context';
import { payloadChecks } from './ids';
import type { XenLoaderEnv } from './context';
import { XenLoaderVerdict, xenLoaderVerdict } from './xenLoader';

const twoMiB = 2n << 20n;
/** Where Xen 4.17 would place a payload when we know no better: its vmap area starts past the image. */
const defaultBase = 0xffff82d040800000n;

/** The hypervisor the walk loads into: the caller's (the emulator's), else the target's symbols and build-id. */
function loaderEnv(env: PayloadCheckEnv): XenLoaderEnv {
  if (env.xenLoader) return env.xenLoader;
  const target = env.target;
  // The highest symbol address the image has: its payloads go past it, as Xen's vmap area is past its image.
  const end = target?.tables.symbols.address.reduce((max, a) => (a > max ? a : max), 0n) || undefined;
  return {
    base: end === undefined ? defaultBase : ((end + twoMiB - 1n) & ~(twoMiB - 1n)) + twoMiB,
    ...(target ? { lookup: (name: string) => (xenMayDefine(name) ? target.symbolsNamed(name)[0]?.address : undefined) } : {}),
    ...(env.xenBuildId || target?.buildId ? { buildId: env.xenBuildId ?? target!.buildId } : {}),
  };
}

/** Xen's words in a console line, without its `livepatch: <payload>: ` prefix (a check may name the payload by its file). */
const xenText = (line: string): string => line.replace(/^livepatch: (?:[^:]*: )?/, '').trimEnd();

/**
 * Whether another check's upload refusal is the one Xen makes, worded otherwise: Xen's line with
 * something more in front (`<function>: Address or size fields are zero`), the payload named by
 * its path, another errno (LP341's is Xen's); or no line at all where Xen prints one, about the
 * structure Xen's refusal is about (LP311's empty hook section is Xen's `... is empty`).
 */
function sameRefusal(f: Finding, verdict: XenLoaderVerdict): boolean {
  const refusal = f.data as XenRefusal | undefined;
  if (!refusal?.errno || refusal.stage === 'apply') return false;
  const theirs = refusal.console?.[0];
  if (theirs === undefined) return refusal.errno === verdict.errno && f.where !== undefined && `${verdict.why} ${verdict.line ?? ''}`.includes(f.where);
  if (verdict.line === undefined) return false;
  const [a, b] = [xenText(theirs), verdict.line];
  return a === b || a.endsWith(`: ${b}`) || b.endsWith(`: ${a}`);
}

/**
 * LP341, after the other upload checks: Xen's own walk of the bytes (xenLoader.ts) decides what
 * it refuses first. When another check already reports that refusal, with Xen's errno and line,
 * it moves to the front (the emulator's upload and the verdict follow the first refusal). When
 * others report it in other words, LP341 reports it, with Xen's, and takes theirs in as related
 * information: one refusal, one diagnostic. Otherwise LP341 reports it, first. Silent when Xen
 * accepts: the other checks then say what Xen takes and should not, as errors that are no
 * refusal (the emulator uploads the payload).
 */
export function checkXenLoader(sink: FindingSink, payloadName: string, env: PayloadCheckEnv): void {
  if (!env.bytes) return;
  const verdict = xenLoaderVerdict(env.bytes, loaderEnv(env));
  if (!verdict) {
    // Xen takes it: what the other checks find stays an error, but none of them is a refusal at upload.
    sink.findings.forEach((f, i) => {
      const refusal = f.data as XenRefusal | undefined;
      if (refusal?.errno && refusal.stage !== 'apply') sink.findings[i] = { ...f, data: undefined };
    });
    return;
  }
  const line = verdict.line && `livepatch: ${payloadName}: ${verdict.line}`;
  const same = sink.findings.findIndex((f) => {
    const refusal = f.data as XenRefusal | undefined;
    return refusal?.errno === verdict.errno && refusal?.stage !== 'apply' && (refusal?.console?.[0] ?? undefined) === line;
  });
  if (verdict.kind === 'refused' && same >= 0) {
    sink.findings.unshift(...sink.findings.splice(same, 1));
    return;
  }
  if (verdict.kind === 'crashes') {
    sink.add(
      payloadChecks.xenLoader,
      'upload',
      `Xen's loader does not check this and faults on it during the upload: ${verdict.why}. Xen 4.17 takes a fatal page fault and the machine reboots. Rebuild the payload.`,
    );
  } else {
    const subsumed = sink.findings.filter((f) => sameRefusal(f, verdict));
    sink.findings.splice(0, sink.findings.length, ...sink.findings.filter((f) => !subsumed.includes(f)));
    if (line) sink.xenSays(payloadName, verdict.line!);
    sink.add(
      payloadChecks.xenLoader,
      'upload',
      `Xen's loader refuses the upload: ${verdict.why}. ${line ? `Xen says "${line}"` : 'Xen says nothing on its console'} (-${verdict.errno}). Rebuild the payload with the toolchain and flags of samples/Makefile's XEN_CFLAGS, linked with \`ld -r\`.`,
      verdict.errno,
    );
    if (subsumed.length) sink.findings[sink.findings.length - 1].related = subsumed.map((f) => ({ file: f.file, range: f.range, message: `${f.code}: ${findingText(f)}` }));
  }
  sink.findings.unshift(sink.findings.pop()!);
}

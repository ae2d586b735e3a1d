import * as path from 'node:path';
import { analyzePayloadFile } from '../../../../server/out/checks/payload';
import type { XenRefusal } from '../../../../server/out/checks/payload/context';
import type { Finding } from '../../../../server/out/checks/finding';
import { errno } from '../../../../server/out/emulator/errno';
import { XenSession } from '../../../../server/out/emulator/xen';
import { FunctionCode, loadTargetIndex } from '../../../../server/out/target';
import type { Judge } from '../core/loader';
import type { Variant, Verdict } from '../core/variant';
import { toolVerdict, uploadName } from './verdicts';

const fileOf = (dir: string, v: Variant): string => path.join(dir, `${uploadName(v.id)}.livepatch`);

/**
 * The emulator's Xen booted on the real hypervisor's xen-syms: the same bytes as the real
 * machine, uploaded (and applied, unloaded) in one session in the same order.
 */
export function emulatorJudge(xenSyms: string, dir: string, applies: (v: Variant) => boolean): Judge {
  return {
    name: 'emulator',
    judge: (variants) => {
      const session = new XenSession({ target: xenSyms, baseDir: dir });
      const verdicts = new Map<string, Verdict>();
      for (const v of variants) {
        const name = uploadName(v.id);
        const upload = session.run(['upload', name, fileOf(dir, v)]);
        const verdict = halted(upload) ? { outcome: 'crashed' as const } : toolVerdict({ ...upload, log: upload.console }, name);
        if (upload.exitCode === 0 && applies(v)) {
          const apply = session.run(['apply', name]);
          verdict.then = { step: 'apply', verdict: halted(apply) ? { outcome: 'crashed' } : toolVerdict({ ...apply, log: apply.console }, name) };
          if (apply.exitCode === 0) session.run(['revert', name]);
        }
        if (verdict.outcome === 'crashed' || verdict.then?.verdict.outcome === 'crashed') session.run(['reset']);
        else if (upload.exitCode === 0) session.run(['unload', name]);
        verdicts.set(v.id, verdict);
      }
      return Promise.resolve(verdicts);
    },
  };
}

/** The hypervisor died of the command: its panic banner, or a tool that found it dead. */
const halted = (r: { stderr: string; console: string[] }): boolean => r.console.some((l) => l.includes('Panic on CPU')) || /the hypervisor has panicked/.test(r.stderr);

const refusalOf = (f: Finding): XenRefusal | undefined => ((f.data as XenRefusal | undefined)?.errno && f.severity === 'error' ? (f.data as XenRefusal) : undefined);

function refusalVerdict(f: Finding | undefined, name: string): Verdict {
  const refusal = f && refusalOf(f);
  if (!refusal) return { outcome: 'accepted' };
  const line = refusal.console?.[0]?.replaceAll(name, '<name>');
  return { outcome: 'refused', errno: errno(refusal.errno), ...(line ? { line } : {}) };
}

/** The analyzer (`check --target xen-syms`): the first refusal it says Xen makes at upload, and at apply. */
export function analyzerJudge(xenSyms: string, dir: string, applies: (v: Variant) => boolean): Judge {
  return {
    name: 'analyzer',
    judge: async (variants) => {
      const target = await loadTargetIndex(xenSyms, { cacheDir: null, inWorker: false });
      const code = new FunctionCode(xenSyms);
      try {
        return new Map(
          variants.map((v) => {
            const name = uploadName(v.id);
            const refusals = analyzePayloadFile(fileOf(dir, v), { target, code }).findings.filter((f) => refusalOf(f));
            const verdict = refusalVerdict(
              refusals.find((f) => refusalOf(f)!.stage !== 'apply'),
              name,
            );
            if (verdict.outcome === 'accepted' && applies(v))
              verdict.then = {
                step: 'apply',
                verdict: refusalVerdict(
                  refusals.find((f) => refusalOf(f)!.stage === 'apply'),
                  name,
                ),
              };
            return [v.id, verdict];
          }),
        );
      } finally {
        code.close();
      }
    },
  };
}

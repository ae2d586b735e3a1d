/**
 * LP3xx: payload checks. Public API:
 *
 *   analyzePayloadFile(file, env): PayloadAnalysis     decode + every check; never throws for bad input
 *   checkOpenedPayload(opened, env): Finding[]         the same on an already opened payload (the
 *                                                      emulator's upload: each finding's data is a
 *                                                      XenRefusal, the errno and Xen's console lines)
 *   FindingSink, PayloadCheckEnv, payloadChecks (ids)
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { KlpModule, livepatchMaxSize, OpenedPayload, openPayload, XenPayload } from '../../payload';
import { FunctionCode } from '../../target';
import { Finding } from '../finding';
import { FindingSink, PayloadCheckEnv } from './context';
import { checkElfIdentity, checkSectionShapes } from './elfShape';
import { checkVetoingHooks } from './hooks';
import { checkReportRecursion } from './reportRecursion';
import { checkKlpModule, reportPlainModule } from './klpModule';
import { checkModinfoFormat } from './modinfo';
import { checkModuleLoader } from './moduleLoader';
import { checkSomethingToPatch } from './nothingToPatch';
import { checkOldFunctions, OldFunctionRef } from './oldFunctions';
import { checkSymbols } from './symbols';
import { funcWhere, oldFunctionName } from './xenFuncs';
import { xenUploadChecks } from './xenUpload';
import { checkXenLoader } from './xenLoaderCheck';
import { payloadChecks } from './ids';

export { FindingSink, PayloadCheckEnv, XenErrno } from './context';
export { payloadChecks } from './ids';

export interface PayloadAnalysis {
  opened: OpenedPayload;
  findings: Finding[];
}

export function analyzePayloadFile(file: string, env: PayloadCheckEnv = {}): PayloadAnalysis {
  const opened = openPayload(file);
  const bytes = isXenPayload(opened) ? xenPayloadBytes(file) : undefined;
  const findings = checkOpenedPayload(opened, { ...(bytes ? { bytes } : {}), ...env });
  // A kernel module's file as load_module() reads it, raw: LP141 needs the bytes, not the decoded payload.
  if (opened.payload?.kind === 'klp' || (!opened.payload && file.endsWith('.ko'))) {
    const sink = new FindingSink(file);
    let raw: Buffer | undefined;
    try {
      raw = readFileSync(file);
    } catch {
      raw = undefined; // openPayload has said why it cannot be read
    }
    if (raw) checkModuleLoader(sink, raw, path.basename(file));
    findings.push(...sink.findings);
  }
  return { opened, findings };
}

/** The name xen-livepatch uploads a file as (and Xen's lines say): its base name without the extension. */
const uploadName = (file: string): string => path.basename(file).replace(/\.[^.]*$/, '');

/** The bytes Xen would walk: none when the file cannot be read or is over LIVEPATCH_MAX_SIZE (refused before any walk). */
function xenPayloadBytes(file: string): Buffer | undefined {
  try {
    return BigInt(statSync(file).size) <= livepatchMaxSize ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/** A Xen payload, or a file too broken to tell that is not named like a Linux module. */
const isXenPayload = (opened: OpenedPayload): boolean => (opened.payload ? opened.payload.kind === 'xen' : !opened.file.endsWith('.ko'));

export function checkOpenedPayload(opened: OpenedPayload, env: PayloadCheckEnv = {}): Finding[] {
  const sink = new FindingSink(opened.file);
  const name = opened.payload?.name ?? opened.file;
  if (opened.identity) checkElfIdentity(sink, name, opened.identity);
  if (opened.error) {
    sink.add(
      payloadChecks.malformedElf,
      opened.error.structure,
      `${opened.error.message}. The loader reads the same headers and tables and would refuse or misread the file (Xen: "Invalid ELF payload" or a "Section ... of payload" error). Rebuild the payload; if it was copied, check that the copy is complete.`,
      'EINVAL',
    );
  }
  const payload = opened.payload;
  if (payload?.kind === 'xen') checkXen(sink, payload, env);
  if (payload?.kind === 'klp') checkKlp(sink, payload, env);
  if (payload?.kind !== 'klp') checkXenLoader(sink, payload?.name ?? uploadName(opened.file), env);
  return sink.findings;
}

function checkXen(sink: FindingSink, payload: XenPayload, env: PayloadCheckEnv): void {
  xenUploadChecks(sink, payload, env);
  checkVetoingHooks(sink, payload);
  checkReportRecursion(sink, payload);
  const refs: OldFunctionRef[] = payload.funcs.flatMap((f): OldFunctionRef[] => {
    const name = oldFunctionName(f);
    if (f.oldAddr.reloc) return [{ where: funcWhere(f), name: f.oldAddr.reloc.symbol, lookup: { kind: 'xen-reloc' }, func: f }];
    if (f.oldAddr.raw !== 0n) return [{ where: funcWhere(f), name: name ?? `0x${f.oldAddr.raw.toString(16)}`, lookup: { kind: 'xen-address', address: f.oldAddr.raw }, func: f }];
    return name ? [{ where: funcWhere(f), name, lookup: { kind: 'xen-name' }, func: f }] : [];
  });
  // The old functions' code is read from the target's ELF (the index keeps no bytes), opened once per payload.
  const code = env.target ? (env.code ?? new FunctionCode(env.target.path)) : undefined;
  try {
    checkOldFunctions(sink, refs, env.target, code);
  } finally {
    if (code !== env.code) code?.close();
  }
}

function checkKlp(sink: FindingSink, module: KlpModule, env: PayloadCheckEnv): void {
  checkSectionShapes(sink, module);
  checkSymbols(sink, module, env, new Set());
  checkModinfoFormat(sink, module);
  // What the module loader checks holds for every module; what klp_enable_patch() checks only for livepatch ones.
  if (module.plain) {
    reportPlainModule(sink, module);
    return;
  }
  checkKlpModule(sink, module);
  checkSomethingToPatch(sink, module);
  // The target is vmlinux: functions of other objects (modules) are resolved when those load.
  const refs: OldFunctionRef[] = (module.patch?.objects ?? [])
    .filter((o) => o.name === null)
    .flatMap((o) =>
      o.funcs.flatMap((f): OldFunctionRef[] =>
        f.oldName
          ? [{ where: `klp_func ${f.oldName}${f.oldSympos ? `,${f.oldSympos}` : ''}`, name: f.oldName, lookup: { kind: 'klp', sympos: Number(f.oldSympos), object: 'vmlinux' } }]
          : [],
      ),
    );
  checkOldFunctions(sink, refs, env.target);
}

import { XenPayload } from '../../payload';
import { checkAlternatives } from './alternatives';
import { checkAlternativeBugs } from './alternativeBugs';
import { checkBuildIdSections } from './buildIds';
import { FindingSink, PayloadCheckEnv } from './context';
import { checkSectionShapes } from './elfShape';
import { checkHookSections } from './hooks';
import { checkModinfoFormat } from './modinfo';
import { checkSomethingToPatch } from './nothingToPatch';
import { checkNameAndHookPointers, checkOldAddressesInTarget, staticPointers } from './pointers';
import { checkRelocations } from './relocations';
import { checkSymbols } from './symbols';
import { checkXenFuncs } from './xenFuncs';

/**
 * Everything Xen's load_payload_data() refuses at upload, in its order; the emulator's Xen
 * runtime reaches it through checkOpenedPayload, so both report the same conditions with the
 * same wording (each finding's `data` holds the errno the hypercall would return and the lines
 * Xen prints).
 */
export function xenUploadChecks(sink: FindingSink, payload: XenPayload, env: PayloadCheckEnv): void {
  checkSectionShapes(sink, payload);
  checkBuildIdSections(sink, payload, env);
  checkSymbols(sink, payload, env, replacementSymbols(payload));
  checkRelocations(sink, payload);
  checkXenFuncs(sink, payload, env);
  checkNameAndHookPointers(sink, payload, staticPointers(payload));
  if (env.target) checkOldAddressesInTarget(sink, payload, env.target);
  checkHookSections(sink, payload);
  checkSomethingToPatch(sink, payload);
  checkAlternatives(sink, payload);
  checkAlternativeBugs(sink, payload);
  checkModinfoFormat(sink, payload);
}

/** The symbols the funcs' new_addr point at: Xen allows these to shadow target names. */
export function replacementSymbols(payload: XenPayload): Set<string> {
  return new Set(payload.funcs.flatMap((f) => (f.newAddr.reloc ? [f.newAddr.reloc.symbol] : [])));
}

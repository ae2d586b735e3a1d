import * as path from 'node:path';
import { XenPayload } from '../../payload';
import { bundledSampleTarget } from '../../target/bundledSampleTarget';
import { FindingSink, PayloadCheckEnv } from './context';
import { payloadChecks } from './ids';

/** Beyond Xen 4.17's four, what the emulator's loader also applies (server/src/emulator/loader.ts), as Linux's module loader does. */
const emulatorOnlyTypes: ReadonlySet<number> = new Set([10, 11, 24]);

/**
 * The sample targets this project builds for its emulator (samples/build/): their payloads are
 * built `-mcmodel=kernel`, whose R_X86_64_32S the emulator applies. Any other target is a real
 * hypervisor, whose loader does not.
 */
function isSampleBuild(target: string): boolean {
  const bundled = bundledSampleTarget();
  if (!bundled) return false;
  const build = path.dirname(path.dirname(bundled));
  return path.resolve(target).startsWith(`${build}${path.sep}`);
}

/**
 * arch_livepatch_perform_rela(): a relocation against STN_UNDEF is refused whatever its type,
 * then any type but NONE, 64, PC32 and PLT32; Xen stops at the first, as this check does.
 */
export function checkRelocations(sink: FindingSink, payload: XenPayload, env: PayloadCheckEnv): void {
  const realXen = env.target !== undefined && !isSampleBuild(env.target.path);
  const refused = payload.unusualRelocations.find((r) => r.undefinedSymbol || realXen || !emulatorOnlyTypes.has(r.type));
  if (!refused) return;
  const where = `${refused.section}+0x${refused.offset.toString(16)}`;
  if (refused.undefinedSymbol) {
    return sink.add(
      payloadChecks.unhandledRelocation,
      where,
      `a ${refused.typeName} relocation at ${where} is against symbol 0 (STN_UNDEF), which names nothing to relocate against. ${sink.xenSays(payload.name, 'Encountered STN_UNDEF')}. A hand-edited or corrupted relocation table; rebuild the payload.`,
      'EOPNOTSUPP',
    );
  }
  sink.add(
    payloadChecks.unhandledRelocation,
    where,
    `the relocation at ${where} is ${refused.typeName}, which Xen's loader does not apply (it handles R_X86_64_NONE, 64, PC32 and PLT32 only). ${sink.xenSays(payload.name, `Unhandled relocation ${refused.type}`)}. ` +
      'Build the payload position-independent (`-fpic`, no `-mcmodel=kernel`, as `make -C samples real-xen` does) so the compiler emits PC32/PLT32.',
    'EOPNOTSUPP',
  );
}

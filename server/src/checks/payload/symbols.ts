import { Payload } from '../../payload';
import { FindingSink, PayloadCheckEnv } from './context';
import { payloadChecks } from './ids';

/** The kernel's livepatch core (CONFIG_LIVEPATCH) API, which target indexes do not model (the emulator provides it). */
const livepatchCoreApi = /^(klp_enable_patch|klp_shadow_\w+|klp_get_state|klp_get_prev_state)$/;

/**
 * Symbol resolution at upload: every undefined symbol must exist in the target (Xen also
 * looks in payloads loaded before, which a single-file check cannot see), and no new symbol
 * may reuse a name the target defines (Xen's build_symbol_table()).
 */
export function checkSymbols(sink: FindingSink, payload: Payload, env: PayloadCheckEnv, replacements: ReadonlySet<string>): void {
  for (const name of payload.symbols.commonNames) {
    sink.add(
      payloadChecks.unknownSymbol,
      name,
      `${name} is a common symbol (an uninitialized global without -fno-common): the loader has nowhere to allocate it. ${payload.kind === 'xen' ? sink.xenSays(payload.name, `Unexpected common symbol: ${name}`) : 'The module loader says "Please compile with -fno-common"'}. Initialize it or build with -fno-common.`,
      'ENOEXEC',
    );
  }
  const target = env.target;
  if (!target) return;
  for (const name of payload.symbols.undefinedNames) {
    if (target.symbolsNamed(name).length || (payload.kind === 'klp' && livepatchCoreApi.test(name))) continue;
    sink.add(
      payloadChecks.unknownSymbol,
      name,
      `${name} is undefined in the payload and the target ${target.path} does not define it, so the loader cannot relocate the references to it. ` +
        `${payload.kind === 'xen' ? `${sink.xenSays(payload.name, `Unknown symbol: ${name}`)} (unless a payload loaded earlier defines it)` : `The module loader says "${payload.kind === 'klp' && payload.moduleName ? payload.moduleName : payload.name}: Unknown symbol ${name} (err -2)"`}. ` +
        'Check the spelling and that the target is the image you build against; a static function of the target needs a klp/kpatch symbol reference instead.',
      'ENOENT',
    );
  }
  if (payload.kind !== 'xen') return;
  for (const symbol of payload.symbols.definedGlobals) {
    if (replacements.has(symbol.name) || !target.symbolsNamed(symbol.name).length) continue;
    sink.add(
      payloadChecks.duplicateSymbol,
      symbol.name,
      `The payload defines ${symbol.name} (in ${symbol.section}), which the target already defines, and it is not the new_addr of any .livepatch.funcs entry: later payloads and the symbol table would see two definitions. ` +
        `${sink.xenSays(payload.name, `duplicate new symbol: ${symbol.name}`)}. Make it static or give it a new name.`,
      'EEXIST',
    );
  }
}

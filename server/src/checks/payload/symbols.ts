import { KlpModule, Payload } from '../../payload';
import type { TargetIndex } from '../../target';
import { FindingSink, PayloadCheckEnv } from './context';
import { payloadChecks } from './ids';
import { sampleKernelExports } from '../../target/sampleKernelExports';
import { xenMayDefine } from '../../target/xenSymbolView';

/** What a hypervisor running this image resolves: its symbols, less the Linux-only names of the bundled target. */
const xenDefines = (target: TargetIndex, name: string): boolean => xenMayDefine(name) && target.symbolsNamed(name).length > 0;

/** The licenses the kernel's license_is_gpl_compatible() accepts: only they may use EXPORT_SYMBOL_GPL symbols. */
const gplCompatible = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

/**
 * Why the module loader would not resolve `name` against vmlinux, or undefined when it does.
 * It looks only at what vmlinux exports (find_symbol() over __ksymtab and, for GPL-compatible
 * modules, __ksymtab_gpl), whatever the type or binding of the symbol. A target that exports
 * nothing (the sample target) is judged by what it defines and what the emulator's kernel
 * model gives modules on it (its natives: the allocators, printk, the klp core API, ...).
 */
function moduleLoaderMisses(name: string, module: KlpModule, target: TargetIndex): string | undefined {
  if (!target.hasExports) return target.symbolsNamed(name).length || sampleKernelExports(name) ? undefined : `the target ${target.path} does not define it`;
  const exported = target.exported(name);
  if (exported?.gpl) {
    const license = module.license;
    if (license === undefined || !gplCompatible.has(license))
      return `the target ${target.path} exports it with EXPORT_SYMBOL_GPL, which a module ${license === undefined ? 'without MODULE_LICENSE' : `with license "${license}"`} may not use`;
  }
  // simplify_symbols(): "Ok if weak." An unresolved weak reference stays 0.
  if (exported || module.symbols.weakUndefinedNames.includes(name)) return undefined;
  return target.symbolsNamed(name).length
    ? `the target ${target.path} defines it but does not export it (no EXPORT_SYMBOL), and the module loader resolves only exported symbols`
    : `the target ${target.path} neither defines nor exports it`;
}

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
    const why = payload.kind === 'klp' ? moduleLoaderMisses(name, payload, target) : xenDefines(target, name) ? undefined : `the target ${target.path} does not define it for Xen`;
    if (!why) continue;
    sink.add(
      payloadChecks.unknownSymbol,
      name,
      `${name} is undefined in the payload and ${why}, so the loader cannot relocate the references to it. ` +
        `${payload.kind === 'xen' ? `${sink.xenSays(payload.name, `Unknown symbol: ${name}`)} (unless a payload loaded earlier defines it)` : `The module loader says "${payload.moduleName ?? payload.name}: Unknown symbol ${name} (err -2)" (unless a module loaded earlier exports it)`}. ` +
        'Check the spelling and that the target is the image you build against; a static function of the target needs a klp/kpatch symbol reference instead.',
      'ENOENT',
    );
  }
  if (payload.kind !== 'xen') return;
  for (const symbol of payload.symbols.definedGlobals) {
    if (replacements.has(symbol.name) || !xenDefines(target, symbol.name)) continue;
    sink.add(
      payloadChecks.duplicateSymbol,
      symbol.name,
      `The payload defines ${symbol.name} (in ${symbol.section}), which the target already defines, and it is not the new_addr of any .livepatch.funcs entry: later payloads and the symbol table would see two definitions. ` +
        `${sink.xenSays(payload.name, `duplicate new symbol: ${symbol.name}`)}. Make it static or give it a new name.`,
      'EEXIST',
    );
  }
}

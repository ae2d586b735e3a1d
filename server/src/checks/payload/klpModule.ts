import { KlpModule } from '../../payload';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/** What the module loader and klp_enable_patch() refuse in a livepatch module itself. */
export function checkKlpModule(sink: FindingSink, module: KlpModule): void {
  const name = module.moduleName ?? module.name;
  if (!module.livepatch) {
    sink.add(
      payloadChecks.notLivepatchModule,
      '.modinfo',
      `.modinfo has no livepatch=Y, so the module loader does not treat ${name} as a livepatch module: its .klp.rela sections are not kept and klp_enable_patch() refuses it. ` +
        `The kernel says "livepatch: module ${name} is not marked as a livepatch module" (-EINVAL). Add MODULE_INFO(livepatch, "Y").`,
    );
  }
  const patch = module.patch;
  if (patch && !patch.objectsTerminated) {
    sink.add(
      payloadChecks.klpSentinel,
      `klp_patch ${patch.symbol}`,
      `The klp_object array of ${patch.symbol} has no all-zero { } entry before its section ends, so klp_for_each_object_static() walks past it into whatever follows. End the array with { }.`,
    );
  }
  for (const object of patch?.objects ?? []) {
    if (object.funcsTerminated || !object.funcsAt) continue;
    sink.add(
      payloadChecks.klpSentinel,
      `klp_object ${object.name ?? 'vmlinux'} funcs (${object.funcsAt})`,
      `The klp_func array ${object.funcsAt} of object ${object.name ?? 'vmlinux'} has no all-zero { } entry before its section ends, so klp_for_each_func_static() reads past it and treats the next bytes as functions to patch. End the array with { }.`,
    );
  }
  for (const rela of module.klpRelaSections) {
    if (rela.objectName && rela.livepatchFlag) continue;
    sink.add(
      payloadChecks.klpNames,
      rela.name,
      rela.objectName
        ? `${rela.name} lacks the SHF_RELA_LIVEPATCH flag (0x00100000), so the module loader applies it at load time, before the object it targets is known to be present; the livepatch core never sees it. Mark it as klp-convert does.`
        : `${rela.name} does not parse as .klp.rela.<object>.<section> (object name up to 55 characters, no dots). The kernel says "section ${rela.name} has an incorrectly formatted name" and klp_enable_patch() fails.`,
    );
  }
  for (const symbol of module.klpSymbols) {
    if (symbol.objectName && symbol.livepatchIndex) continue;
    sink.add(
      payloadChecks.klpNames,
      symbol.name,
      symbol.objectName
        ? `${symbol.name} does not have st_shndx SHN_LIVEPATCH (0xff20), so the module loader tries to resolve it itself and fails with "Unknown symbol". Generate it with klp-convert or kpatch-build.`
        : `${symbol.name} does not parse as .klp.sym.<object>.<symbol>,<sympos> (object up to 55 characters without dots, symbol up to 511 without commas, a decimal sympos). The kernel says "symbol ${symbol.name} has an incorrectly formatted name".`,
    );
  }
}

/** A module with no sign of livepatching is what livepatches target, not a broken livepatch: say so, and leave the klp checks out. */
export function reportPlainModule(sink: FindingSink, module: KlpModule): void {
  const name = module.moduleName ?? module.name;
  sink.add(
    payloadChecks.plainModule,
    'module',
    `${name} is a plain kernel module, not a livepatch module: it has no livepatch=Y in .modinfo, does not call klp_enable_patch() and has no .klp.rela or .klp.sym entries. ` +
      `Only the module loader's checks apply to it; a livepatch module patches its functions through a klp_object named "${name}". If it was meant to be a livepatch module, add MODULE_INFO(livepatch, "Y") and call klp_enable_patch() from its init.`,
  );
}

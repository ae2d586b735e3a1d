import { ElfFile, SHN } from '../../elf';
import { ElfIdentity, KlpModule, KlpRelaSection, KlpSymbol } from '../model';
import { modinfoValue } from '../modinfo';
import { readPayloadBase } from '../payloadBase';
import { RelocatedSections } from '../relocatedSections';
import { decodeKlpGraph } from './decodeKlpGraph';
import { klpLayoutOf } from './klpLayout';
import { klpRelaPrefix, klpSymPrefix, parseKlpRelaName, parseKlpSymbolName, SHF_RELA_LIVEPATCH } from './klpNames';

/** A Linux kernel module (.ko), livepatch or plain, as the module loader and klp_enable_patch() read it. */
export function decodeKlpModule(elf: ElfFile, identity: ElfIdentity): KlpModule {
  const base = readPayloadBase(elf, identity);
  const view = new RelocatedSections(elf);
  const layout = klpLayoutOf(elf);
  const graph = decodeKlpGraph(view, layout);
  const moduleName = modinfoValue(base.modinfo, 'name');
  const vermagic = modinfoValue(base.modinfo, 'vermagic');
  const license = modinfoValue(base.modinfo, 'license');
  const klpRelaSections: KlpRelaSection[] = elf.sections
    .filter((s) => s.name.startsWith(klpRelaPrefix))
    .map((s) => ({ name: s.name, ...parseKlpRelaName(s.name), livepatchFlag: (s.flags & SHF_RELA_LIVEPATCH) !== 0n, relocations: Number(s.size / 24n) }));
  const klpSymbols: KlpSymbol[] = elf
    .symbols()
    .filter((s) => s.name.startsWith(klpSymPrefix))
    .map((s) => ({ name: s.name, ...parseKlpSymbolName(s.name), livepatchIndex: s.shndx === SHN.LIVEPATCH }));
  // check_modinfo_livepatch() asks only whether the field is there: livepatch=N is a livepatch module too (Debian's 6.1 loads it as one).
  const livepatch = modinfoValue(base.modinfo, 'livepatch') !== undefined;
  const plain = !livepatch && !base.symbols.undefinedNames.includes('klp_enable_patch') && !klpRelaSections.length && !klpSymbols.length;
  // prettier-ignore
  return {
    kind: 'klp',
    ...base,
    livepatch,
    plain,
    ...(moduleName !== undefined ? { moduleName } : {}),
    ...(vermagic !== undefined ? { vermagic } : {}),
    ...(license !== undefined ? { license } : {}),
    layout: { source: layout.source, funcSize: layout.funcSize, objectSize: layout.objectSize },
    ...('patch' in graph ? { patch: graph.patch } : { patchProblem: graph.problem }),
    klpRelaSections,
    klpSymbols,
  };
}

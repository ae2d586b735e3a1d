import { ElfFile } from '../../elf';
import { readBuildIdNote } from '../buildIdNote';
import { ElfIdentity, XenPayload } from '../model';
import { readPayloadBase } from '../payloadBase';
import { RelocatedSections } from '../relocatedSections';
import { decodeFuncs } from './decodeFuncs';
import { decodeHooks } from './decodeHooks';
import { decodeUnusualRelocations } from './decodeRelocations';
import { decodeAltInstructions, decodeBugFrames, decodeSpecialSections } from './decodeSpecial';

/** A Xen livepatch payload as the hypervisor's load_payload_data() reads it. */
export function decodeXenPayload(elf: ElfFile, identity: ElfIdentity): XenPayload {
  const view = new RelocatedSections(elf);
  const funcsElf = elf.section('.livepatch.funcs');
  const funcs = funcsElf ? decodeFuncs(view, funcsElf) : undefined;
  const depends = readBuildIdNote(elf, '.livepatch.depends');
  const xenDepends = readBuildIdNote(elf, '.livepatch.xen_depends');
  return {
    kind: 'xen',
    ...readPayloadBase(elf, identity),
    ...(funcs ? { funcsSection: funcs.funcsSection } : {}),
    funcs: funcs?.funcs ?? [],
    ...(depends ? { depends } : {}),
    ...(xenDepends ? { xenDepends } : {}),
    hooks: decodeHooks(view),
    altInstructions: decodeAltInstructions(view),
    bugFrames: decodeBugFrames(view),
    special: decodeSpecialSections(view),
    unusualRelocations: decodeUnusualRelocations(elf),
  };
}

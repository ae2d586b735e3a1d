import { EM_X86_64, ET, SHF, SHT } from '../../elf';
import { ElfIdentity, livepatchMaxSize, Payload } from '../../payload';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

const eiClassNames: Record<number, string> = { 1: 'ELFCLASS32', 2: 'ELFCLASS64' };

/**
 * The header checks of Xen's livepatch_elf_load()/arch_livepatch_verify_elf() and of the
 * module loader: ELF64, little-endian, x86-64, ET_REL, no program headers.
 */
export function checkElfIdentity(sink: FindingSink, name: string, identity: ElfIdentity): void {
  if (identity.elfClass !== 2 || identity.dataEncoding !== 1 || identity.machine !== EM_X86_64) {
    sink.add(
      payloadChecks.elfIdentity,
      'ELF header',
      `The payload is ${eiClassNames[identity.elfClass] ?? `EI_CLASS ${identity.elfClass}`}, ${identity.dataEncoding === 1 ? 'little' : 'big'}-endian, e_machine ${identity.machine}; ` +
        `an x86-64 hypervisor or kernel only loads ELFCLASS64 little-endian EM_X86_64 (62) objects. ${sink.xenSays(name, 'Unsupported ELF Machine type')}. Build it with the x86-64 toolchain that built the target.`,
      'EOPNOTSUPP',
    );
    return;
  }
  if (identity.type !== ET.REL) {
    sink.add(
      payloadChecks.elfIdentity,
      'ELF header',
      `e_type is ${identity.type === ET.EXEC ? 'ET_EXEC' : identity.type === ET.DYN ? 'ET_DYN' : identity.type}, not ET_REL: payloads and modules are relocatable objects that the loader places and relocates itself. ` +
        `${sink.xenSays(name, 'Invalid ELF payload')}. Link with \`ld -r\` (Xen) or build as a kernel module, not as an executable or shared object.`,
      'EINVAL',
    );
  }
  if (identity.phnum !== 0) {
    sink.add(
      payloadChecks.programHeaders,
      'ELF header',
      `The payload has ${identity.phnum} program header(s): it was linked into an image instead of left relocatable, so its code is bound to fixed addresses. ` +
        `${sink.xenSays(name, 'Invalid ELF payload')} (kpatch: "ELF contains program header"). Link with \`ld -r\`.`,
      'EOPNOTSUPP',
    );
  }
}

/** Section-level refusals of Xen's loader that the ELF reader itself accepts. */
export function checkSectionShapes(sink: FindingSink, payload: Payload): void {
  const symtabs = payload.sections.filter((s) => s.type === SHT.SYMTAB);
  if (payload.kind === 'xen' && symtabs.length !== 1) {
    sink.add(
      payloadChecks.malformedElf,
      'section headers',
      `${symtabs.length ? `${symtabs.length} symbol tables` : 'No symbol table'}: the hypervisor resolves and relocates the payload through exactly one .symtab. ` +
        `${sink.xenSays(payload.name, symtabs.length ? 'Unsupported multiple symbol tables' : 'No symbol table found')}. Do not strip the payload (\`strip --strip-unneeded\` keeps what relocation needs).`,
      'EINVAL',
    );
  }
  for (const rel of payload.sections.filter((s) => s.type === SHT.REL)) {
    sink.add(
      payloadChecks.malformedElf,
      rel.name,
      `${rel.name} is SHT_REL: x86-64 loaders only apply SHT_RELA relocations, so these would be ignored or refused. ${sink.xenSays(payload.name, 'SHT_REL relocation unsupported')}. Build with the x86-64 toolchain, which emits RELA.`,
      'EOPNOTSUPP',
    );
  }
  for (const section of payload.sections) {
    // Without a section-name table (e_shstrndx 0) a section has no name: its index names it.
    const s = section.name ? section : { ...section, name: `section [${section.index}]` };
    // elf_resolve_sections() refuses such a section before any allocation, with no message.
    if (payload.kind === 'xen' && s.type === SHT.NOBITS && s.flags & (SHF.WRITE | SHF.ALLOC) && s.size > livepatchMaxSize) {
      sink.add(
        payloadChecks.bssTooLarge,
        s.name,
        `${s.name} is an allocated SHT_NOBITS section of ${s.size} bytes, more than LIVEPATCH_MAX_SIZE (${livepatchMaxSize} bytes): the hypervisor would have to allocate and zero all of it. ` +
          'Xen refuses the upload (-EINVAL, without a message). Allocate large buffers at run time (xzalloc in a load hook) instead of declaring them static.',
        'EINVAL',
      );
    }
    if (s.flags & SHF.ALLOC && s.flags & SHF.WRITE && s.flags & SHF.EXECINSTR) {
      sink.add(
        payloadChecks.writableCode,
        s.name,
        `${s.name} is allocated, writable and executable (flags WAX): mapping it would give an attacker writable hypervisor or kernel code. ${sink.xenSays(payload.name, `Not supporting ${section.name} section!`)}. ` +
          'Keep code in read-only executable sections and data in non-executable ones (check section attributes in inline assembly and linker scripts).',
        'EOPNOTSUPP',
      );
    }
  }
}

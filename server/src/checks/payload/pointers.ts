import { SHF } from '../../elf';
import { endbr64Length, FieldValue, HookKind, isNullField, patchInsnSize, SectionSummary, XenFunc, XenPayload } from '../../payload';
import type { TargetIndex } from '../../target';
import { FindingSink } from './context';
import { payloadChecks } from './ids';
import { funcWhere } from './xenFuncs';

// The pointers the hypervisor follows on a payload's behalf: each function's `name` (read to
// look old_addr up and to print), each hook, and old_addr (read for ENDBR64 and expectations,
// then overwritten). The rules are one; where the pointers come from differs: the ELF and its
// relocations for `check`/`inspect` (staticPointers), guest memory after placement for the
// emulator's upload (which also refuses on the static findings first).
//
// Xen 4.17 checks none of these: prepare_payload() hands f->name to symbols_lookup_by_name()
// when old_addr is 0, arch_livepatch_verify_func() reads old_addr for is_endbr64(), and the
// hooks are called as they are; a wild pointer there is a fatal page fault in the hypervisor
// or a jump written over whatever memory it names. Refusing the upload with -EINVAL, as Xen
// refuses every other malformed payload, is our reasoned approximation, and the console lines
// below are worded in the style of Xen's own (e.g. "Alt patching outside payload: %p").

/** A pointer as the hypervisor would follow it: NULL, into one of the payload's sections, or elsewhere. */
export type PayloadPointer =
  | { kind: 'null' }
  | { kind: 'inside'; section: string; flags: bigint; offset: bigint; size: bigint; text: string; string: string | undefined }
  /** `text` names the pointer (an address, a symbol+offset); `why` says why it is not the payload's. */
  | { kind: 'outside'; text: string; why: string };

/** Where the pointer fields of one payload lead. */
export interface PointerView {
  name(func: XenFunc): PayloadPointer;
  hook(kind: HookKind, index: number): PayloadPointer;
}

/** The function of the patched image holding an address: the hypervisor's, or a payload loaded before. */
export type CodeAt = (address: bigint) => { name: string; address: bigint; size: bigint } | undefined;

export function checkNameAndHookPointers(sink: FindingSink, payload: XenPayload, view: PointerView): void {
  for (const f of payload.funcs) {
    const pointer = view.name(f);
    const where = `${funcWhere(f)} name`;
    if (pointer.kind === 'outside') {
      sink.add(
        payloadChecks.namePointer,
        where,
        `the name pointer of entry ${f.index} is ${pointer.text}, ${pointer.why}: outside every section the payload loads, so the hypervisor would read the old function's name from memory that is not the payload's. ` +
          `${refusal(sink, payload.name, `Function name of entry ${f.index} outside payload: ${pointer.text}`)} Point .name at a string of the payload (a static const char[]); a corrupted symbol value or relocation gives this.`,
        'EINVAL',
      );
    } else if (pointer.kind === 'inside' && pointer.string === undefined) {
      sink.add(
        payloadChecks.namePointer,
        where,
        `the name of entry ${f.index} at ${pointer.text} has no terminating NUL before the end of ${pointer.section}, so reading it runs off the payload. ` +
          `${refusal(sink, payload.name, `Function name of entry ${f.index} is not terminated in ${pointer.section}`)} Point .name at a NUL-terminated string.`,
        'EINVAL',
      );
    }
  }
  for (const hook of payload.hooks) {
    hook.functions.forEach((_, i) => {
      const pointer = view.hook(hook.kind, i);
      if (pointer.kind === 'null' || (pointer.kind === 'inside' && pointer.flags & SHF.EXECINSTR)) return;
      const where = `${hook.section}[${i}]`;
      sink.add(
        payloadChecks.hookPointer,
        where,
        `${where} is ${pointer.text}, ${pointer.kind === 'inside' ? `in ${pointer.section}, which is not code` : `${pointer.why}: outside the payload`}, and the hypervisor calls it as a function. ` +
          `${refusal(sink, payload.name, `Hook ${where} outside payload text: ${pointer.text}`)} Register hooks with the LIVEPATCH_*_HOOK() macros, on functions of the payload.`,
        'EINVAL',
      );
    });
  }
}

/** The emulator's refusal, with its console line; Xen itself does not look (see the top of this file). */
function refusal(sink: FindingSink, payloadName: string, line: string): string {
  sink.xenPrints(payloadName, line);
  return `Xen 4.17 does not check this and would follow the pointer (a fatal page fault, or worse, code written over whatever it names); the emulator refuses the upload (-EINVAL) with "livepatch: ${payloadName}: ${line}".`;
}

/**
 * The bytes at old_addr the hypervisor reads or writes: the jump (after a possible ENDBR64 it
 * reads), the NOPs. An expectation is read only at apply, and only when old_size covers it
 * (-ERANGE otherwise, LP310): Xen 4.17 takes the upload, as the differential saw.
 */
function touchedBytes(f: XenFunc): bigint {
  const patch = isNullField(f.newAddr) ? f.newSize : patchInsnSize;
  return BigInt(Math.max(patch, endbr64Length));
}

/** old_addr, once known (resolved against the target or placed by the emulator), must be inside a function of the patched image. */
export function checkOldAddress(sink: FindingSink, payload: XenPayload, f: XenFunc, address: bigint, shown: string, codeAt: CodeAt): void {
  const touched = touchedBytes(f);
  const code = codeAt(address);
  if (code && code.size > 0n && address + touched <= code.address + code.size) return;
  const where = funcWhere(f);
  const place = code
    ? `it is ${code.name}+0x${(address - code.address).toString(16)}, and ${touched} bytes from there run past the end of ${code.name}`
    : 'it is not inside any function of the patched image';
  sink.add(
    payloadChecks.oldAddrOutsideText,
    where,
    `old_addr is ${shown} (0x${address.toString(16)}): ${place}. The hypervisor reads and overwrites ${touched} bytes there (the ENDBR64 check, the jump or NOPs, the expectation). ` +
      `${refusal(sink, payload.name, `old_addr of entry ${f.index} outside hypervisor text: 0x${address.toString(16)}`)} Let the relocation against the old function stand as the build made it (no addend), or leave old_addr 0 and set .name.`,
    'EINVAL',
  );
}

/** The pointers as the ELF states them: relocations against the payload's own sections, or values the loader keeps. */
export function staticPointers(payload: XenPayload): PointerView {
  const field = (value: FieldValue, string: string | undefined): PayloadPointer => {
    if (isNullField(value)) return { kind: 'null' };
    const reloc = value.reloc;
    if (!reloc) return { kind: 'outside', text: `0x${value.raw.toString(16)}`, why: 'an absolute address the loader keeps' };
    if (reloc.type !== 'R_X86_64_64') return { kind: 'outside', text: reloc.display, why: `relocated with ${reloc.type}, which does not write a 64-bit address` };
    const section = reloc.section === undefined ? undefined : payload.sections.find((s) => s.name === reloc.section);
    if (!section || reloc.sectionOffset === undefined) return { kind: 'outside', text: reloc.display, why: 'a symbol the hypervisor resolves' };
    return located(section, reloc.sectionOffset, reloc.display, string);
  };
  return {
    name: (f) => field(f.nameField, f.name),
    hook: (kind, index) => field(payload.hooks.find((h) => h.kind === kind)!.functions[index], undefined),
  };
}

/** A pointer to `offset` of `section`: inside only when the section is loaded and the offset within it. */
export function located(section: Pick<SectionSummary, 'name' | 'flags' | 'size'>, offset: bigint, text: string, string: string | undefined): PayloadPointer {
  if (!(section.flags & SHF.ALLOC)) return { kind: 'outside', text, why: `in ${section.name}, which is not loaded` };
  if (offset < 0n || offset >= section.size) return { kind: 'outside', text, why: `offset 0x${offset.toString(16)} of ${section.name}, which is ${section.size} bytes` };
  return { kind: 'inside', section: section.name, flags: section.flags, offset, size: section.size, text, string };
}

/** old_addr relocated against a hypervisor symbol, judged against the target's functions (`check --target`, `inspect --target`). */
export function checkOldAddressesInTarget(sink: FindingSink, payload: XenPayload, target: TargetIndex): void {
  const codeAt: CodeAt = (address) => {
    const symbol = target.symbolAt(address);
    return symbol?.kind === 'function' ? symbol : undefined;
  };
  for (const f of payload.funcs) {
    const reloc = f.oldAddr.reloc;
    // Unknown names are LP315/LP319's; a raw old_addr is judged by LP319 (it must start a function).
    const symbol = reloc && reloc.section === undefined ? target.symbol(reloc.symbol) : undefined;
    if (reloc && symbol) checkOldAddress(sink, payload, f, BigInt.asUintN(64, symbol.address + reloc.addend), reloc.display, codeAt);
  }
}

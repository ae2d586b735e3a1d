import { closeSync, openSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { ElfError, ElfFile, parseElf, readElf } from '../elf';
import { decodeKlpModule } from './klp/decodeKlpModule';
import { ElfIdentity, Payload } from './model';
import { decodeXenPayload } from './xen/decodeXenPayload';

/**
 * A payload file as far as it could be read. Never throws for bad input: `error` says what
 * made the file unreadable (a malformed ELF), `identity` is set whenever the first bytes
 * are an ELF header, so the checks can quote the loader's reason.
 */
export interface OpenedPayload {
  file: string;
  identity?: ElfIdentity;
  payload?: Payload;
  error?: ElfError;
}

type PayloadKind = 'xen' | 'klp';

/** Reads and decodes a payload file (Xen `.livepatch` / `.o`, Linux `.ko`). */
export function openPayload(file: string): OpenedPayload {
  let header: Buffer;
  try {
    header = readHead(file);
  } catch (error) {
    return { file, error: new ElfError(file, 'file', 0n, (error as Error).message) };
  }
  return closed(decodeWith(file, header, () => readElf(file)));
}

/** The same for bytes already in memory (tests). */
export function decodePayloadBytes(bytes: Buffer, name: string): OpenedPayload {
  return closed(decodePayloadBytesOpen(bytes, name));
}

/**
 * The same, leaving the parsed ELF open when decoding succeeded, for a caller that goes on to
 * load it (the emulator's upload) without parsing the bytes again; that caller closes it.
 */
export function decodePayloadBytesOpen(bytes: Buffer, name: string): { opened: OpenedPayload; elf?: ElfFile } {
  return decodeWith(name, bytes.subarray(0, 64), () => parseElf(bytes, name));
}

function closed({ opened, elf }: { opened: OpenedPayload; elf?: ElfFile }): OpenedPayload {
  elf?.close();
  return opened;
}

function decodeWith(file: string, header: Buffer, open: () => ElfFile): { opened: OpenedPayload; elf?: ElfFile } {
  if (header.length < 16) return { opened: { file, error: new ElfError(file, 'ELF header', 0n, `file is ${header.length} bytes, too short for an ELF header`) } };
  const identity = identify(header);
  if (!identity) return { opened: { file, error: new ElfError(file, 'ELF header', 0n, 'not an ELF file (bad magic)') } };
  if (identity.elfClass !== 2 || identity.dataEncoding !== 1) return { opened: { file, identity } };
  let elf: ElfFile | undefined;
  try {
    elf = open();
    const payload = payloadKind(elf) === 'klp' ? decodeKlpModule(elf, identity) : decodeXenPayload(elf, identity);
    return { opened: { file, identity, payload }, elf };
  } catch (error) {
    elf?.close();
    if (error instanceof ElfError) return { opened: { file, identity, error } };
    throw error;
  }
}

/** ELF identity from the first bytes (at least e_ident), without trusting anything past them when short. */
function identify(b: Buffer): ElfIdentity | undefined {
  if (b.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const u16 = (at: number) => (b.length >= at + 2 ? (b[5] === 2 ? b.readUInt16BE(at) : b.readUInt16LE(at)) : 0);
  // prettier-ignore
  return {
    elfClass: b[4], dataEncoding: b[5], version: b[6], osabi: b[7],
    type: u16(16), machine: u16(18),
    phnum: u16(b[4] === 1 ? 44 : 56),
  };
}

/**
 * Xen payloads carry `.livepatch.*` sections; Linux modules carry `.modinfo`, `.klp.*` or
 * `.gnu.linkonce.this_module`. A file with neither is judged by its extension.
 */
function payloadKind(elf: ElfFile): PayloadKind {
  if (elf.sections.some((s) => s.name.startsWith('.livepatch.'))) return 'xen';
  if (elf.sections.some((s) => s.name === '.gnu.linkonce.this_module' || s.name.startsWith('.klp.') || (s.name === '.modinfo' && path.extname(elf.path) !== '.livepatch')))
    return 'klp';
  return path.extname(elf.path) === '.ko' ? 'klp' : 'xen';
}

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(64);
    return buffer.subarray(0, readSync(fd, buffer, 0, 64, 0));
  } finally {
    closeSync(fd);
  }
}

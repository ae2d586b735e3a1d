import { ElfFile } from '../elf';
import { Modinfo } from './model';

/**
 * `.modinfo`: NUL-separated `key=value` strings. gcc pads between entries with extra NULs,
 * so empty strings are skipped; an entry without '=' keeps its whole text as the key (Xen's
 * sample payloads put a bare string there).
 */
export function readModinfo(elf: ElfFile): Modinfo | undefined {
  const section = elf.section('.modinfo');
  if (!section) return undefined;
  const bytes = elf.sectionData(section);
  const entries = bytes
    .toString('latin1')
    .split('\0')
    .filter((text) => text.length > 0)
    .map((text) => {
      const eq = text.indexOf('=');
      return eq < 0 ? { key: text, value: '' } : { key: text.slice(0, eq), value: text.slice(eq + 1) };
    });
  return { section: section.name, size: section.size, entries, terminated: bytes.length > 0 && bytes[bytes.length - 1] === 0 };
}

export function modinfoValue(modinfo: Modinfo | undefined, key: string): string | undefined {
  return modinfo?.entries.find((e) => e.key === key)?.value;
}

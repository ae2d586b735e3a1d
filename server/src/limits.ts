/**
 * The bounds the engine puts on untrusted input and on guest runs, in one table: payloads,
 * patches and sources come from build trees, bug reports and other people, so every size,
 * count and run time the engine meets has a ceiling with a clear message instead of an
 * allocation or a loop that only the input's author controls.
 *
 * The language server sets them from the `livepatch.limits.*` settings and the CLI from its
 * flags; everything else reads `limits()`. A value past its `ceiling` is clamped to it: a user
 * may need more than the default, never an unbounded run.
 */
export interface Limits {
  /** Bytes of guest memory all mapped pages may take together (pages are allocated when touched). */
  guestMemoryBytes: number;
  /** Instructions one guest call may run. */
  guestInstructionBudget: number;
  /** Wall-clock milliseconds one guest call may run. */
  guestTimeoutMs: number;
  /** Bytes of a patch or C document the analyzers read; a larger one gets one message. */
  documentBytes: number;
  /**
   * Bytes of C the tree-sitter parser is given at once (a C document, or a file a patch touches):
   * its parse time and WASM memory grow with the size, and broken C of 33.5 MB exhausts the memory.
   */
  cParseBytes: number;
  /** Characters in one line of a patch or C document. */
  lineLength: number;
  /** Milliseconds the analysis of one document version may take before it is stopped. */
  analysisTimeoutMs: number;
  /** Sections, symbols and relocations in one ELF file. */
  elfSections: number;
  elfSymbols: number;
  elfRelocations: number;
  /** Bytes of one string read from an ELF string table or from guest memory. */
  stringBytes: number;
  /** Nesting depth of DWARF DIEs. */
  dwarfDepth: number;
  /** Diagnostics the server publishes for one document; the rest are counted in one message. */
  diagnosticsPerDocument: number;
  /** Symbols in one document's outline. */
  outlineSymbols: number;
}

export type LimitName = keyof Limits;

interface LimitSpec {
  default: number;
  ceiling: number;
  /** What the limit counts, for messages and help. */
  what: string;
  /**
   * The `livepatch.limits.*` setting that sets it in the editor, in its unit (sizes in MiB, which
   * people can type); none for bounds only a CLI run on a huge image may need to raise.
   */
  setting?: { name: string; unit: number };
}

const MiB = 1024 * 1024;

// prettier-ignore
export const limitSpecs: Record<LimitName, LimitSpec> = {
  guestMemoryBytes: { default: 512 * MiB, ceiling: 8192 * MiB, what: 'bytes of guest memory', setting: { name: 'guestMemoryMiB', unit: MiB } },
  guestInstructionBudget: { default: 50_000_000, ceiling: 10_000_000_000, what: 'instructions per guest call', setting: { name: 'guestInstructionBudget', unit: 1 } },
  guestTimeoutMs: { default: 10_000, ceiling: 600_000, what: 'milliseconds per guest call', setting: { name: 'guestTimeoutMs', unit: 1 } },
  documentBytes: { default: 64 * MiB, ceiling: 1024 * MiB, what: 'bytes per document', setting: { name: 'documentMiB', unit: MiB } },
  cParseBytes: { default: 2 * MiB, ceiling: 16 * MiB, what: 'bytes of C the parser reads', setting: { name: 'cParseMiB', unit: MiB } },
  lineLength: { default: 1 * MiB, ceiling: 64 * MiB, what: 'characters per line', setting: { name: 'lineLength', unit: 1 } },
  analysisTimeoutMs: { default: 20_000, ceiling: 600_000, what: 'milliseconds per analysis', setting: { name: 'analysisTimeoutMs', unit: 1 } },
  elfSections: { default: 65_536, ceiling: 1_048_576, what: 'sections per ELF file' },
  elfSymbols: { default: 4_000_000, ceiling: 64_000_000, what: 'symbols per ELF file' },
  elfRelocations: { default: 16_000_000, ceiling: 256_000_000, what: 'relocations per ELF file' },
  stringBytes: { default: 1 * MiB, ceiling: 64 * MiB, what: 'bytes per string' },
  dwarfDepth: { default: 256, ceiling: 4096, what: 'levels of DWARF nesting' },
  diagnosticsPerDocument: { default: 2_000, ceiling: 100_000, what: 'diagnostics per document', setting: { name: 'diagnosticsPerDocument', unit: 1 } },
  outlineSymbols: { default: 5_000, ceiling: 200_000, what: 'outline symbols per document', setting: { name: 'outlineSymbols', unit: 1 } },
};

let current: Limits = defaults();

function defaults(): Limits {
  return Object.fromEntries(Object.entries(limitSpecs).map(([name, spec]) => [name, spec.default])) as unknown as Limits;
}

/** Clamps a user's value to the limit's ceiling; a value that is not a positive number is ignored. */
export function clampLimit(name: LimitName, value: number | undefined): number {
  const spec = limitSpecs[name];
  if (value === undefined || !Number.isFinite(value) || value <= 0) return spec.default;
  return Math.min(Math.floor(value), spec.ceiling);
}

/** Sets some limits (the others keep their defaults); returns the limits now in force. */
export function configureLimits(values: Partial<Record<LimitName, number>>): Limits {
  current = defaults();
  for (const name of Object.keys(limitSpecs) as LimitName[]) current[name] = clampLimit(name, values[name]);
  return current;
}

export function limits(): Readonly<Limits> {
  return current;
}

/** The UTF-8 size of `text` when it is past `limit` bytes, else undefined: UTF-16 units are at most as many as UTF-8 bytes, so only a text that may be past is measured. */
export function utf8BytesPast(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > limit ? bytes : undefined;
}

/** The end of every message about a bound: how the user raises it, on the command line and in the editor. */
export function howToRaise(name: LimitName): string {
  const setting = limitSpecs[name].setting;
  return `raise it with --limit ${name}=N${setting ? ` or the setting livepatch.limits.${setting.name}` : ''}`;
}

/** The same for a bound only the language server has (what it publishes, how long it analyses). */
export function settingToRaise(name: LimitName): string {
  return `raise the setting livepatch.limits.${limitSpecs[name].setting?.name ?? name}`;
}

import type { TargetIndex } from '../../target';
import { FieldValue, isNullField, KlpCallbacks, KlpModule, Payload, XenFunc, XenPayload } from '../model';
import { OpenedPayload } from '../openPayload';

/**
 * A payload as the inspector shows it, JSON-safe (addresses as hex strings), shared by
 * `livepatch-lens inspect --json`, the language server's inspect request and the webview.
 */
export interface PayloadView {
  file: string;
  name: string;
  kind: 'xen' | 'klp' | 'unreadable';
  error?: string;
  functions: FunctionView[];
  /** Build-ids from the bottom of the stack up: target -> depends -> this payload. */
  chain: ChainLink[];
  hooks: Array<{ kind: string; section: string; functions: string[] }>;
  sections: Array<{ index: number; name: string; type: string; flags: string; size: number; relocations: number }>;
  modinfo: Array<{ key: string; value: string }>;
  facts: Array<{ label: string; value: string }>;
}

export interface FunctionView {
  where: string;
  oldName: string;
  /** What old_addr / the klp lookup points at: a symbol, an address, or "by name". */
  old: string;
  new: string;
  oldSize?: number;
  newSize?: number;
  /** The old function's address in the target, when a target is known. */
  oldAddress?: string;
  action: 'replace' | 'nop' | 'redirect';
}

export interface ChainLink {
  role: string;
  buildId?: string;
  problem?: string;
  /** Whether it equals the target's build-id (undefined: no target). */
  matchesTarget?: boolean;
}

const hex = (n: bigint): string => `0x${n.toString(16)}`;
const shtNames: Record<number, string> = { 0: 'NULL', 1: 'PROGBITS', 2: 'SYMTAB', 3: 'STRTAB', 4: 'RELA', 7: 'NOTE', 8: 'NOBITS', 9: 'REL', 17: 'GROUP', 18: 'SYMTAB_SHNDX' };
const flagLetters: Array<[bigint, string]> = [
  [0x1n, 'W'],
  [0x2n, 'A'],
  [0x4n, 'X'],
  [0x10n, 'M'],
  [0x20n, 'S'],
  [0x40n, 'I'],
  [0x80n, 'L'],
  [0x200n, 'G'],
  [0x400n, 'T'],
  [0x800n, 'C'],
  [0x0ff00000n, 'o'],
  [0x80000000n, 'E'],
];

/** readelf's section flag letters. */
const sectionFlags = (flags: bigint): string =>
  flagLetters
    .filter(([bit]) => flags & bit)
    .map(([, l]) => l)
    .join('');

const pointer = (field: FieldValue): string => field.reloc?.display ?? (field.raw ? hex(field.raw) : '0');

export function payloadView(opened: OpenedPayload, target?: TargetIndex): PayloadView {
  const payload = opened.payload;
  const name = payload?.name ?? opened.file.split(/[\\/]/).pop() ?? opened.file;
  if (!payload)
    return {
      file: opened.file,
      name,
      kind: 'unreadable',
      ...(opened.error ? { error: opened.error.message } : {}),
      functions: [],
      chain: [],
      hooks: [],
      sections: [],
      modinfo: [],
      facts: [],
    };
  // prettier-ignore
  return {
    file: opened.file,
    name,
    kind: payload.kind,
    ...(opened.error ? { error: opened.error.message } : {}),
    functions: payload.kind === 'xen' ? payload.funcs.map((f) => xenFunction(f, target)) : klpFunctions(payload, target),
    chain: chainOf(payload, target),
    hooks: payload.kind === 'xen' ? payload.hooks.map((h) => ({ kind: h.kind, section: h.section, functions: h.functions.map(pointer) })) : klpCallbacks(payload),
    sections: payload.sections.map((s) => ({ index: s.index, name: s.name, type: shtNames[s.type] ?? hex(BigInt(s.type)), flags: sectionFlags(s.flags), size: Number(s.size), relocations: s.relocations })),
    modinfo: payload.modinfo?.entries ?? [],
    facts: payload.kind === 'xen' ? xenFacts(payload) : klpFacts(payload),
  };
}

function xenFunction(f: XenFunc, target?: TargetIndex): FunctionView {
  const nop = isNullField(f.newAddr);
  const oldName = f.name ?? f.oldAddr.reloc?.symbol ?? '?';
  const address = f.oldAddr.reloc || !f.oldAddr.raw ? target?.symbol(oldName)?.address : f.oldAddr.raw;
  return {
    where: `.livepatch.funcs[${f.index}]`,
    oldName,
    old: f.oldAddr.reloc ? f.oldAddr.reloc.display : f.oldAddr.raw ? hex(f.oldAddr.raw) : `by name (${oldName})`,
    new: nop ? `NOP ${f.newSize} bytes` : pointer(f.newAddr),
    oldSize: f.oldSize,
    newSize: f.newSize,
    ...(address !== undefined ? { oldAddress: hex(address) } : {}),
    action: nop ? 'nop' : 'replace',
  };
}

function klpFunctions(module: KlpModule, target?: TargetIndex): FunctionView[] {
  return (module.patch?.objects ?? []).flatMap((o) =>
    o.funcs.map((f) => {
      const sympos = Number(f.oldSympos);
      const symbol = o.name === null && f.oldName ? target?.symbol(f.oldName, sympos) : undefined;
      // prettier-ignore
      return {
        where: `${o.name ?? 'vmlinux'} klp_func[${f.index}]`,
        oldName: f.oldName ?? '?',
        old: `${o.name ?? 'vmlinux'}:${f.oldName ?? '?'}${sympos ? `,${sympos}` : ''}`,
        new: pointer(f.newFunc),
        ...(symbol ? { oldAddress: hex(symbol.address), oldSize: Number(symbol.size) } : {}),
        action: 'redirect' as const,
      };
    }),
  );
}

function chainOf(payload: Payload, target?: TargetIndex): ChainLink[] {
  const link = (role: string, note: { buildId?: string; problem?: string } | undefined, compare = true): ChainLink => ({
    role,
    ...(note?.buildId ? { buildId: note.buildId } : {}),
    ...(note?.problem ? { problem: note.problem } : !note ? { problem: 'missing' } : {}),
    ...(compare && target && note?.buildId ? { matchesTarget: note.buildId === target.buildId } : {}),
  });
  const links: ChainLink[] = target ? [{ role: 'target', buildId: target.buildId, matchesTarget: true }] : [];
  if (payload.kind === 'xen') links.push(link('xen_depends (hypervisor)', payload.xenDepends), link('depends (applies on top of)', payload.depends));
  links.push(link(`${payload.name} (own build-id)`, payload.buildId, false));
  return links;
}

function klpCallbacks(module: KlpModule): PayloadView['hooks'] {
  return (module.patch?.objects ?? []).flatMap((o) =>
    (Object.entries(o.callbacks) as Array<[keyof KlpCallbacks, KlpCallbacks[keyof KlpCallbacks]]>).map(([kind, ref]) => ({
      kind,
      section: `klp_object ${o.name ?? 'vmlinux'}`,
      functions: [ref?.display ?? '?'],
    })),
  );
}

function xenFacts(payload: XenPayload): PayloadView['facts'] {
  const f = payload.funcsSection;
  return [
    ...(f ? [{ label: 'struct livepatch_func', value: `version ${f.layout} layout, ${f.entrySize} bytes per entry, ${f.size} bytes in ${f.section}` }] : []),
    ...payload.special.map((s) => ({ label: s.name, value: `${s.size} bytes, ${s.relocations} relocations` })),
    ...payload.altInstructions.map((a) => ({
      label: `alternative ${a.index}`,
      value: `${a.orig?.display ?? '?'} (${a.origLen} bytes${a.padLen ? ` + ${a.padLen} of padding` : ''}) <- ${a.repl?.display ?? '?'} (${a.replLen} bytes), cpuid ${a.cpuid}`,
    })),
  ];
}

function klpFacts(module: KlpModule): PayloadView['facts'] {
  const patch = module.patch;
  return [
    {
      label: 'module',
      value: `${module.moduleName ?? module.name}${module.livepatch ? ' (livepatch=Y)' : module.plain ? ' (a plain module, not a livepatch module)' : ' (not marked livepatch=Y)'}`,
    },
    ...(module.vermagic !== undefined ? [{ label: 'vermagic', value: module.vermagic }] : []),
    // A plain module has no klp structures: their layout and where the patch is would be noise.
    ...(module.plain
      ? []
      : [
          {
            label: 'klp struct layout',
            value: `${module.layout.source === 'dwarf' ? "the module's DWARF" : 'Linux 6.x x86-64 (no DWARF)'}: klp_func ${module.layout.funcSize} bytes, klp_object ${module.layout.objectSize} bytes`,
          },
          patch
            ? {
                label: 'klp_patch',
                value: `${patch.symbol}, ${patch.objects.length} object(s)${patch.replace ? ', replace (cumulative)' : ''}${patch.hasStates ? ', with states' : ''}`,
              }
            : { label: 'klp_patch', value: module.patchProblem ?? 'not found' },
        ]),
    ...module.klpRelaSections.map((r) => ({
      label: r.name,
      value: `${r.relocations} relocations for ${r.objectName ?? '?'} ${r.targetSection ?? ''}${r.livepatchFlag ? '' : ' (no SHF_RELA_LIVEPATCH)'}`,
    })),
    ...module.klpSymbols.map((s) => ({
      label: s.name,
      value: s.objectName ? `${s.objectName}:${s.symbol},${s.sympos}${s.livepatchIndex ? '' : ' (not SHN_LIVEPATCH)'}` : 'does not parse',
    })),
  ];
}

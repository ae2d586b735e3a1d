import { xenPatchSite, XenPatchSite } from '../checks/facts/xenPatchSite';
import { ElfError } from '../elf';
import { isClone, klpFields, patchableSymbol } from '../checks/facts/symbolNaming';
import { defaultCacheDir, loadTargetIndex, TargetIndex, TargetSymbol } from '../target';
import { CliCommand, CliError, CliIo, ExitCode, parseCliArgs } from './command';

const usage = `Usage: livepatch-lens target ELF [--function NAME[,SYMPOS]]... [--struct NAME]... [--json] [--no-cache]

Facts about a target image (vmlinux, xen-syms, the sample target) from its symbols and DWARF:
its flavour (Linux, Xen, or either: the sample target), then address, size, section, whether ftrace
can patch a function (fentry; Linux) or Xen's jump fits it (size and ENDBR64; Xen), where it is
inlined, and struct layouts. The index is cached by build-id under
${defaultCacheDir()} (--no-cache: build it afresh and do not write it).

  --function NAME   a function by its source name; NAME,N picks the Nth symbol of that name
                    (kallsyms order: klp's old_sympos) and only that one's inlined copies.
                    Callers and clones are named as the image's symbols name them
                    (finish_task_switch.isra.0), with what a klp_func must write
  --struct NAME     a struct or union layout
  --json            one JSON object: {"buildId", "flavour", "xenIbt", "functions": {...}, "structs": {...}}

Exit status: 0 ok, 1 a requested name is unknown, 2 usage or I/O error.`;

export interface FunctionReport {
  address: string | null;
  size: number;
  section: string | null;
  traceable: boolean;
  endbr: boolean;
  /** Unless the target is Linux: where Xen writes its jump and whether the function is large enough. */
  xenPatchSite?: XenPatchSite;
  /** The symbols the function became (its own name, or gcc's clones of it), and how a klp_func names each. */
  symbols: SymbolReport[];
  /** Names of the functions holding inlined copies, as the image's symbols name them. */
  inlinedInto: string[];
  /** The same holders with their compile unit, how a patch names them, and the call sites. */
  inlinedIntoSymbols: Array<SymbolReport & { sites: string[] }>;
  inlines: string[];
  outOfLine: boolean;
}

export interface SymbolReport {
  name: string;
  /** Position among the symbols of that name, kallsyms order; null when no symbol holds the code. */
  sympos: number | null;
  /** DW_AT_name of the compile unit. */
  unit: string;
  /** A gcc clone or part (.isra.N, .constprop.N, .part.N, .cold): kpatch-build and klp-build name it themselves. */
  clone: boolean;
  /** What a hand-written klp_func writes (a .cold part is replaced with the function it split from). */
  klp: { old_name: string; old_sympos: number };
}

function symbolReport(index: TargetIndex, name: string, symbol: TargetSymbol | undefined, unit: string): SymbolReport {
  const sympos = symbol && index.symbolsNamed(symbol.name).length > 1 ? symbol.sympos : 0;
  return { name, sympos: symbol?.sympos ?? null, unit, clone: isClone(name), klp: { old_name: patchableSymbol(name), old_sympos: sympos } };
}

function describeFunction(index: TargetIndex, request: string): FunctionReport | undefined {
  const [name, position] = request.split(',');
  const sympos = position === undefined ? 1 : Number(position);
  if (!Number.isInteger(sympos) || sympos < 1) throw new CliError(`bad sympos in '${request}': expected NAME,N with N >= 1`);
  if (!index.knowsFunction(name)) return undefined;
  const definitions = index.definitions(name);
  const own = index.symbolsNamed(name).filter((s) => s.kind === 'function');
  // A name with no symbol of its own (gcc emitted only clones) is described by its first clone.
  const symbol = position !== undefined ? own[sympos - 1] : (own[0] ?? definitions.find((d) => d.symbol)?.symbol);
  if (position !== undefined && !symbol) return undefined;
  const units = new Set(definitions.map((d) => d.unit).filter(Boolean));
  // NAME,N is one static function among several: only its own unit inlines it.
  const unit = position !== undefined && symbol && units.size > 1 ? index.unitOf(symbol) : undefined;
  const holders = index.inlinedInto(name, unit);
  const became = symbol && position !== undefined ? [symbol] : definitions.flatMap((d) => (d.symbol ? [d.symbol] : []));
  return {
    address: symbol ? `0x${symbol.address.toString(16)}` : null,
    size: symbol ? Number(symbol.size) : 0,
    section: symbol?.section ?? null,
    traceable: symbol?.traceable ?? false,
    endbr: symbol?.endbr ?? false,
    ...(symbol && index.flavour.flavour !== 'linux' ? { xenPatchSite: xenPatchSite(symbol) } : {}),
    symbols: definitions.flatMap((d) => (d.symbol ? [symbolReport(index, d.symbol.name, d.symbol, d.unit)] : [])),
    inlinedInto: holders.map((h) => h.function).sort(),
    inlinedIntoSymbols: holders.map((h) => ({ ...symbolReport(index, h.function, h.symbol, h.unit), sites: h.sites.map((c) => `${c.file}:${c.line}`) })),
    // The copies sit in the symbols the function became: clones have names of their own.
    inlines: [...new Set([name, ...became.map((s) => s.name)].flatMap((n) => index.inlines(n)))].sort(),
    outOfLine: index.isOutOfLine(name),
  };
}

const flavourText = { linux: 'Linux kernel', xen: 'Xen hypervisor', either: 'either Linux or Xen (neither for certain: judged as what patches it)' } as const;

/** The patch-site facts of the flavour: fentry for Linux, Xen's jump for Xen, both when the image plays either. */
function patchSiteText(f: FunctionReport, flavour: TargetIndex['flavour']['flavour']): string {
  const linux = flavour !== 'xen' ? (f.traceable ? ', traceable (fentry)' : ', not traceable (no fentry)') : '';
  const site = f.xenPatchSite;
  const xen = site ? `, Xen jmp at +${site.offset} ${site.fits ? 'fits' : 'does not fit'} (needs ${site.needed} bytes)` : '';
  return `${linux}${xen}${f.endbr ? ', ENDBR64' : ''}`;
}

/** A symbol with its unit and, for clones and shared names, what a klp_func must write. */
function named(s: SymbolReport): string {
  const fields = klpFields({ function: s.name, ...(s.klp.old_sympos ? { sympos: s.klp.old_sympos } : {}) });
  const klp = s.clone || s.klp.old_sympos ? ` (klp: ${fields}${s.clone ? '; a gcc clone: kpatch-build and klp-build name it themselves' : ''})` : '';
  // The unit tells same-named symbols apart; elsewhere the call sites name the file already.
  return `${s.name}${s.unit && s.klp.old_sympos ? ` [${s.unit}]` : ''}${klp}`;
}

function text(buildId: string, functions: Record<string, FunctionReport>, index: TargetIndex, structs: string[]): string {
  const { flavour, xenIbt } = index.flavour;
  const lines = [`build-id: ${buildId}`, `flavour: ${flavourText[flavour]}${xenIbt ? ', CONFIG_XEN_IBT (patch sites past ENDBR64)' : ''}`];
  for (const [name, f] of Object.entries(functions)) {
    lines.push('', `function ${name}`);
    lines.push(f.address ? `  ${f.address} size ${f.size} in ${f.section}${patchSiteText(f, flavour)}` : '  no out-of-line copy');
    const [own] = name.split(',');
    for (const s of f.symbols.filter((s) => s.name !== own || s.klp.old_sympos)) lines.push(`  symbol ${named(s)}`);
    const holders = f.inlinedIntoSymbols;
    if (holders.length) {
      lines.push(`  inlined into ${holders.length} function(s):`);
      for (const s of holders) lines.push(`    ${named(s)}: ${s.sites.join(', ')}`);
    }
    if (f.inlines.length) lines.push(`  inlines: ${f.inlines.join(', ')}`);
  }
  for (const name of structs) {
    const layout = index.struct(name)!;
    lines.push('', `${layout.kind} ${name} (${layout.size} bytes)`);
    for (const m of layout.members) {
      const bits = m.bitSize !== undefined ? ` : ${m.bitSize} (bit ${m.bitOffset})` : '';
      lines.push(`  ${String(m.offset).padStart(5)} ${String(m.size).padStart(5)}  ${m.type} ${m.name}${bits}`);
    }
  }
  return lines.join('\n');
}

export const targetCommand: CliCommand = {
  name: 'target',
  summary: 'facts about a target image: functions (fentry, section, inlining) and struct layouts',
  usage,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const parsed = parseCliArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { function: { type: 'string', multiple: true }, struct: { type: 'string', multiple: true }, json: { type: 'boolean' }, 'no-cache': { type: 'boolean' } },
    });
    if (parsed.positionals.length !== 1) throw new CliError(`expected one ELF file, got ${parsed.positionals.length}\n${usage}`);
    const [file] = parsed.positionals;
    let index: TargetIndex;
    try {
      index = await loadTargetIndex(file, { cacheDir: parsed.values['no-cache'] ? null : defaultCacheDir() });
    } catch (error) {
      if (error instanceof ElfError || (error as NodeJS.ErrnoException).code) throw new CliError((error as Error).message);
      throw error;
    }
    const functions: Record<string, FunctionReport> = {};
    const structs: Record<string, { size: number; members: Array<{ name: string; offset: number; size: number; type: string; bitSize?: number; bitOffset?: number }> }> = {};
    const unknown: string[] = [];
    for (const name of parsed.values.function ?? []) {
      const report = describeFunction(index, name);
      if (report) functions[name] = report;
      else unknown.push(`function '${name}'`);
    }
    const structNames = (parsed.values.struct ?? []).filter((name) => {
      const layout = index.struct(name);
      if (layout) structs[name] = { size: layout.size, members: layout.members };
      else unknown.push(`struct '${name}'`);
      return layout !== undefined;
    });
    io.out(parsed.values.json ? JSON.stringify({ buildId: index.buildId, ...index.flavour, functions, structs }, null, 2) : text(index.buildId, functions, index, structNames));
    for (const name of unknown) io.err(`livepatch-lens target: unknown ${name} in ${file}`);
    return unknown.length ? ExitCode.Findings : ExitCode.Ok;
  },
};

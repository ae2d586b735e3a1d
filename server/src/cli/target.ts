import { xenPatchSite, XenPatchSite } from '../checks/facts/xenPatchSite';
import { ElfError } from '../elf';
import { defaultCacheDir, loadTargetIndex, TargetIndex } from '../target';
import { CliCommand, CliError, CliIo, ExitCode, parseCliArgs } from './command';

const usage = `Usage: livepatch-lens target ELF [--function NAME[,SYMPOS]]... [--struct NAME]... [--json] [--no-cache]

Facts about a target image (vmlinux, xen-syms, the sample target) from its symbols and DWARF:
its flavour (Linux, Xen, or either: the sample target), then address, size, section, whether ftrace
can patch a function (fentry; Linux) or Xen's jump fits it (size and ENDBR64; Xen), where it is
inlined, and struct layouts. The index is cached by build-id under
${defaultCacheDir()} (--no-cache: build it afresh and do not write it).

  --function NAME   a function; NAME,N picks the Nth local symbol of that name (kallsyms order)
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
  inlinedInto: string[];
  inlines: string[];
  outOfLine: boolean;
}

function describeFunction(index: TargetIndex, request: string): FunctionReport | undefined {
  const [name, position] = request.split(',');
  const sympos = position === undefined ? 1 : Number(position);
  if (!Number.isInteger(sympos) || sympos < 1) throw new CliError(`bad sympos in '${request}': expected NAME,N with N >= 1`);
  if (!index.knowsFunction(name)) return undefined;
  const symbol = index.symbolsNamed(name).filter((s) => s.kind === 'function')[sympos - 1];
  if (position !== undefined && !symbol) return undefined;
  return {
    address: symbol ? `0x${symbol.address.toString(16)}` : null,
    size: symbol ? Number(symbol.size) : 0,
    section: symbol?.section ?? null,
    traceable: symbol?.traceable ?? false,
    endbr: symbol?.endbr ?? false,
    ...(symbol && index.flavour.flavour !== 'linux' ? { xenPatchSite: xenPatchSite(symbol) } : {}),
    inlinedInto: index
      .inlinedInto(name)
      .map((i) => i.function)
      .sort(),
    inlines: index.inlines(name).sort(),
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

function text(buildId: string, functions: Record<string, FunctionReport>, index: TargetIndex, structs: string[]): string {
  const { flavour, xenIbt } = index.flavour;
  const lines = [`build-id: ${buildId}`, `flavour: ${flavourText[flavour]}${xenIbt ? ', CONFIG_XEN_IBT (patch sites past ENDBR64)' : ''}`];
  for (const [name, f] of Object.entries(functions)) {
    lines.push('', `function ${name}`);
    lines.push(f.address ? `  ${f.address} size ${f.size} in ${f.section}${patchSiteText(f, flavour)}` : '  no out-of-line copy');
    const sites = index.inlinedInto(name.split(',')[0]);
    if (sites.length) {
      lines.push(`  inlined into ${sites.length} function(s):`);
      for (const s of sites) lines.push(`    ${s.function}: ${s.sites.map((c) => `${c.file}:${c.line}`).join(', ')}`);
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

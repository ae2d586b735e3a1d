import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { loadKernelConfig } from '../c/kernelConfig';
import { Finding } from '../checks';
import { analyzePayloadFile } from '../checks/payload';
import { jsonReport, ReportFormat, reportFormats, sarifReport, textReport } from '../checks/report';
import { ElfError } from '../elf';
import { defaultCacheDir, loadTargetIndex, TargetIndex } from '../target';
import { CliCommand, CliError, CliIo, ExitCode, parseCliArgs } from './command';
import { AnalysisEnv, Analyzer } from './analyzer';
import { patchAnalyzer, sourceAnalyzer } from './textAnalyzers';

declare const LIVEPATCH_LENS_VERSION: string | undefined;

const elfMagic = (file: string): boolean => {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32BE(0) === 0x7f454c46;
  } finally {
    closeSync(fd);
  }
};

const payloadAnalyzer: Analyzer = {
  kind: 'payload',
  accepts: (file) => ['.livepatch', '.ko', '.o'].includes(path.extname(file)) || elfMagic(file),
  analyze: (file, env) => analyzePayloadFile(file, env).findings,
};

export const analyzers: Analyzer[] = [sourceAnalyzer, patchAnalyzer, payloadAnalyzer];

const usage = `Usage: livepatch-lens check FILE... [--target ELF] [--source-root DIR] [--kernel-config FILE] [--format text|json|sarif]

Runs every check on each file: C sources (patch modules, payload sources) get the LP1xx
checks, unified diffs (*.patch, *.diff) the LP2xx checks, payload ELFs (*.livepatch, *.ko,
*.o) the LP3xx checks Xen's loader and the Linux module loader would run. With --target,
checks that need the image being patched (old functions, build-id, inlining) run too.

  --target ELF       the image being patched (vmlinux, xen-syms, the sample target)
  --source-root DIR  the tree the patches apply to (patch -p1 -d DIR): classifies each change
                     from both versions of the touched files
  --kernel-config FILE  the kernel's .config (or include/generated/autoconf.h): #if/#ifdef on
                     CONFIG_* choose the branch that is compiled; without it, a .config next
                     to the target or in the source root, else the first branch is read
  --format F       text (default; file:line:column: severity ID: message),
                   json (a list of {file, line, column, severity, code, message}),
                   sarif (SARIF 2.1.0; file URIs relative to %SRCROOT%, the current directory)

Exit status: 0 no error-level finding, 1 error-level findings, 2 usage or I/O error.`;

/** Loads --target for the CLI, turning unreadable files into usage/I-O errors. */
export async function targetFromOption(file: string | undefined): Promise<TargetIndex | undefined> {
  if (file === undefined) return undefined;
  try {
    return await loadTargetIndex(file, { cacheDir: defaultCacheDir() });
  } catch (error) {
    if (error instanceof ElfError || (error as NodeJS.ErrnoException).code) throw new CliError(`cannot read the target: ${(error as Error).message}`);
    throw error;
  }
}

/** --kernel-config must be a configuration: a typo would otherwise read every condition as unknown. */
function configFromOption(file: string): void {
  if (!existsSync(file)) throw new CliError(`--kernel-config ${file}: no such file`);
  try {
    loadKernelConfig(file);
  } catch (error) {
    throw new CliError(`--kernel-config ${(error as Error).message}`);
  }
}

/** A file must exist and be a regular file before any analyzer sees it. */
export function requireFile(file: string): void {
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  if (!statSync(file).isFile()) throw new CliError(`${file}: not a regular file`);
}

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'run the checks on C sources, patches and payloads; exit 1 on errors',
  usage,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const parsed = parseCliArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { target: { type: 'string' }, 'source-root': { type: 'string' }, 'kernel-config': { type: 'string' }, format: { type: 'string', default: 'text' } },
    });
    const format = parsed.values.format as ReportFormat;
    if (!reportFormats.includes(format)) throw new CliError(`unknown --format '${format}': expected ${reportFormats.join(', ')}`);
    if (!parsed.positionals.length) throw new CliError(`expected at least one FILE\n${usage}`);
    parsed.positionals.forEach(requireFile);
    const sourceRoot = parsed.values['source-root'];
    if (sourceRoot !== undefined && !existsSync(sourceRoot)) throw new CliError(`--source-root ${sourceRoot}: no such directory`);
    const kernelConfig = parsed.values['kernel-config'];
    if (kernelConfig !== undefined) configFromOption(kernelConfig);
    const env: AnalysisEnv = {
      ...(await targetFromOption(parsed.values.target).then((target) => (target ? { target } : {}))),
      ...(sourceRoot ? { sourceRoot } : {}),
      ...(kernelConfig ? { kernelConfig } : {}),
    };
    const findings: Finding[] = [];
    // A file no analyzer reads is a usage error, but the others are still checked and reported.
    let unread = false;
    for (const file of parsed.positionals) {
      const analyzer = analyzers.find((a) => a.accepts(file));
      if (analyzer) findings.push(...(await analyzer.analyze(file, env)));
      else {
        unread = true;
        io.err(`livepatch-lens check: ${file}: not a file check reads (C sources, *.patch/*.diff, payload ELFs)`);
      }
    }
    const version = typeof LIVEPATCH_LENS_VERSION === 'string' ? LIVEPATCH_LENS_VERSION : 'development';
    const report = format === 'json' ? jsonReport(findings) : format === 'sarif' ? sarifReport(findings, version, { root: process.cwd() }) : textReport(findings);
    if (report) io.out(report);
    if (unread) return ExitCode.UsageOrIo;
    return findings.some((f) => f.severity === 'error') ? ExitCode.Findings : ExitCode.Ok;
  },
};

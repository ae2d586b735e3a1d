import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { constructDetail, findLivepatchConstructs } from '../../../server/out/c/livepatchConstructs';
import { sharedCParser } from '../../../server/out/c/cParser';
import { parseableText } from '../../../server/out/c/parseableText';
import { cParseBound, documentBounds } from '../../../server/out/checks/documentBounds';
import type { Finding } from '../../../server/out/checks/finding';
import { targetFacts } from '../../../server/out/checks/facts/targetFacts';
import { analyzePatch } from '../../../server/out/checks/patch';
import { checkOpenedPayload } from '../../../server/out/checks/payload';
import { analyzeSource } from '../../../server/out/checks/source/analyzeSource';
import { disassembleSymbol, DwarfReader, ElfError, ElfFile, parseElf, SHT, STT } from '../../../server/out/elf';
import { XenSession } from '../../../server/out/emulator/xen';
import { decodePayloadBytes, openPayload, payloadText, payloadView } from '../../../server/out/payload';
import { buildTargetIndexData, TargetIndex } from '../../../server/out/target';
import { fromRoot } from '../support/paths';
import { FuzzKind } from './recipe';
import { sampleTarget } from './seeds';

/**
 * What each kind of input goes through, the way the CLI and the language server drive the
 * engine: `elf` the readers, the target index and `inspect`; `xen` `check`/`inspect` and the
 * emulator's upload, apply, call, list, dump, revert and unload; `klp` `check`/`inspect` (the
 * Linux runtime's `insmod` does not exist yet); `diff` and `c` the LP2xx and LP1xx analyses.
 *
 * Each step says which error classes may end it: those are rejections, and their message must
 * name the file and the offset. Anything else thrown is a failure. Steps report their name
 * first, so a hang or a death is blamed on the step that was running.
 */
export interface FuzzInput {
  kind: FuzzKind;
  name: string;
  bytes: Buffer;
}

export interface StepReport {
  /** Rejections and findings whose message does not say where the problem is. */
  problems: string[];
  /** The steps that ended in a typed rejection. */
  rejections: number;
}

type ErrorClass = abstract new (...args: never[]) => Error;

interface Context {
  input: FuzzInput;
  dir: string;
  report: StepReport;
  step(name: string): void;
}

/** Thrown past a step: the error and the step it escaped from. */
export class StepFailure extends Error {
  constructor(
    readonly step: string,
    readonly cause: unknown,
  ) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

interface Shared {
  target: TargetIndex;
  parser: Parser;
}
let shared: Promise<Shared> | undefined;

/** The sample target's index and the C parser, made once per worker. */
function sharedState(): Promise<Shared> {
  return (shared ??= (async () => ({ target: new TargetIndex(await buildTargetIndexData(fromRoot(sampleTarget), { dwarfWorkers: 1 })), parser: await sharedCParser() }))());
}

async function step<T>(cx: Context, name: string, allowed: ErrorClass[], run: () => T | Promise<T>): Promise<T | undefined> {
  cx.step(name);
  try {
    return await run();
  } catch (error) {
    if (!allowed.some((c) => error instanceof c)) throw new StepFailure(name, error);
    cx.report.rejections++;
    if (error instanceof ElfError) checkElfMessage(cx, name, error);
    return undefined;
  }
}

function checkElfMessage(cx: Context, name: string, error: ElfError): void {
  const { input } = cx;
  if (!error.message.includes(input.name) || !/offset 0x[0-9a-f]+/.test(error.message))
    cx.report.problems.push(`${name}: ${error.name} does not name the file and the offset: ${error.message.replaceAll(input.name, 'FILE')}`);
}

/** Findings must be about this file, at a line of it, and say where (a line, a structure or an offset). */
function checkFindings(cx: Context, name: string, findings: Finding[], lineCount?: number): void {
  for (const f of findings) {
    const line = f.range.start.line;
    const where = `${name}: ${f.code}`;
    if (path.basename(f.file) !== cx.input.name) cx.report.problems.push(`${where} names the file '${f.file.replaceAll(cx.input.name, 'FILE')}'`);
    if (!f.message.trim()) cx.report.problems.push(`${where} has an empty message`);
    if (lineCount !== undefined && !(Number.isInteger(line) && line >= 0 && line <= lineCount && f.range.start.column >= 0))
      cx.report.problems.push(`${where} points at line ${line}, column ${f.range.start.column}, outside the file`);
    if (lineCount === undefined && f.severity === 'error' && !f.where && !/offset 0x[0-9a-f]+/.test(f.message))
      cx.report.problems.push(`${where} says neither the structure nor the offset`);
    if (/could not analyse this (patch|source)/.test(f.message)) cx.report.problems.push(`${where} swallowed an internal error: ${f.message.replace(/\d+/g, 'N').slice(0, 160)}`);
  }
}

async function readElfThoroughly(cx: Context): Promise<void> {
  const elf = await step(cx, 'parseElf', [ElfError], () => parseElf(cx.input.bytes, cx.input.name));
  if (!elf) return;
  try {
    await step(cx, 'sectionData', [ElfError], () => elf.sections.forEach((s) => elf.sectionData(s)));
    const symbols = await step(cx, 'symbols', [ElfError], () => elf.symbols());
    await step(cx, 'relocations', [ElfError], () => elf.sections.filter((s) => s.type === SHT.RELA).forEach((s) => elf.relocations(s)));
    await step(cx, 'notes', [ElfError], () => [elf.notes(), elf.buildId()]);
    await step(cx, 'dwarf', [ElfError], () => new DwarfReader(elf).scan());
    await disassemble(cx, elf, symbols ?? []);
  } finally {
    elf.close();
  }
}

async function disassemble(cx: Context, elf: ElfFile, symbols: ReturnType<ElfFile['symbols']>): Promise<void> {
  for (const symbol of symbols.filter((s) => s.type === STT.FUNC && s.size > 0n).slice(0, 12))
    await step(cx, 'disassembleSymbol', [ElfError], () => disassembleSymbol(elf, symbol));
}

async function targetIndex(cx: Context, file: string): Promise<void> {
  const tables = await step(cx, 'buildTargetIndexData', [ElfError], () => buildTargetIndexData(file, { dwarfWorkers: 1 }));
  if (!tables) return;
  await step(cx, 'TargetIndex queries', [], () => {
    const index = new TargetIndex(tables);
    for (const symbol of index.data.symbols.slice(0, 30)) {
      index.symbolsNamed(symbol.name);
      index.inlinedInto(symbol.name);
      index.inlines(symbol.name);
      index.isOutOfLine(symbol.name);
      index.symbolAt(symbol.address);
    }
    index.inlineOnly();
    for (const name of Object.keys(index.data.structs).slice(0, 10)) index.struct(name);
  });
}

/** `check` and `inspect`, without and with the sample target. */
async function inspect(cx: Context, file: string): Promise<void> {
  const { target } = await sharedState();
  const opened = await step(cx, 'openPayload', [], () => openPayload(file));
  if (!opened) return;
  for (const env of [{}, { target }]) {
    const findings = await step(cx, 'checkOpenedPayload', [], () => checkOpenedPayload(opened, env));
    checkFindings(cx, 'check', findings ?? []);
    await step(cx, 'payloadView', [], () => payloadText(payloadView(opened, env.target)));
  }
}

/** An emu session: every command returns a result (exit code, output); nothing may be thrown. */
async function emulate(cx: Context): Promise<void> {
  const name = cx.input.name.replace(/\.[^.]*$/, '');
  const session = new XenSession({ target: fromRoot(sampleTarget), baseDir: cx.dir, budget: 2_000_000, timeoutMs: 2_000 });
  const run = (argv: string[]) => step(cx, `emu ${argv[0]}`, [], () => session.run(argv));
  const upload = await run(['upload', name, cx.input.name]);
  if (upload && upload.exitCode !== 0 && !upload.console.some((l) => l.includes(name)))
    cx.report.problems.push(`emu upload: refused without a console line naming the payload: ${upload.stderr.trim()}`);
  if (upload?.exitCode !== 0) return;
  await run(['list']);
  await run(['apply', name]);
  const payload = decodePayloadBytes(cx.input.bytes, cx.input.name).payload;
  const olds = payload?.kind === 'xen' ? payload.funcs.flatMap((f) => (f.name ? [f.name] : [])).slice(0, 3) : [];
  for (const fn of [...new Set([...olds, 'xen_extra_version'])]) await run(['call', fn]);
  await run(['dump']);
  await run(['revert', name]);
  await run(['unload', name]);
}

async function patch(cx: Context): Promise<void> {
  const { target } = await sharedState();
  const text = cx.input.bytes.toString('utf8');
  const lines = text.split('\n').length;
  const withRoot = await step(cx, 'analyzePatch --source-root', [], () => analyzePatch(text, { file: cx.input.name, sourceRoot: fromRoot('samples'), facts: targetFacts(target) }));
  checkFindings(cx, 'analyzePatch', withRoot ?? [], lines);
  const alone = await step(cx, 'analyzePatch', [], () => analyzePatch(text, { file: cx.input.name }));
  checkFindings(cx, 'analyzePatch', alone ?? [], lines);
}

async function source(cx: Context): Promise<void> {
  const { target, parser } = await sharedState();
  const text = cx.input.bytes.toString('utf8');
  // Refused as the engine refuses it (`check`, the analysis worker): past its bounds, nothing is parsed.
  const outOfBounds = documentBounds(cx.input.name, text) ?? cParseBound(cx.input.name, text);
  if (outOfBounds) return checkFindings(cx, 'bounds', [outOfBounds], text.split('\n').length);
  // As every parse in the engine does (parseableText.ts): raw, some shapes corrupt tree-sitter's WASM memory for the rest of the process.
  const tree = await step(cx, 'parse C', [], () => parser.parse(parseableText(text).text));
  if (!tree) return;
  try {
    await step(cx, 'outline', [], () => findLivepatchConstructs(tree).map(constructDetail));
    const findings = await step(cx, 'analyzeSource', [], () => analyzeSource(tree, { file: cx.input.name, facts: targetFacts(target), targetName: 'sample-target' }));
    checkFindings(cx, 'analyzeSource', findings ?? [], text.split('\n').length);
  } finally {
    tree.delete();
  }
}

/** Runs one input through its kind's steps in `dir` (a folder of the worker's own). */
export async function runInput(input: FuzzInput, dir: string, onStep: (name: string) => void): Promise<StepReport> {
  await sharedState();
  const cx: Context = { input, dir, report: { problems: [], rejections: 0 }, step: onStep };
  const file = path.join(dir, input.name);
  if (input.kind !== 'diff' && input.kind !== 'c') writeFileSync(file, input.bytes);
  switch (input.kind) {
    case 'elf':
      await readElfThoroughly(cx);
      await targetIndex(cx, file);
      await inspect(cx, file);
      break;
    case 'xen':
      await inspect(cx, file);
      await emulate(cx);
      break;
    case 'klp':
      await inspect(cx, file);
      break;
    case 'diff':
      await patch(cx);
      break;
    case 'c':
      await source(cx);
      break;
  }
  return cx.report;
}

import type * as Sarif from 'sarif';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allChecks, docsUrl } from '../catalogue';
import { Finding } from '../finding';
import { reportRow } from './reportRow';

const levels: Record<Finding['severity'], Sarif.Result.level> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** The base every artifact URI is relative to: the checkout a CI job analyses, wherever it lies. */
const srcRoot = '%SRCROOT%';

export interface SarifOptions {
  /** The directory `%SRCROOT%` stands for (CI: the checkout); files outside it keep absolute URIs. */
  root: string;
  /** A file's text, for fingerprints; undefined when it cannot be read (a payload ELF has no lines). */
  readText?: (file: string) => string | undefined;
}

const readUtf8 = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * SARIF 2.1.0, one run, the rules being the checks that fired. Artifact URIs are relative to
 * `%SRCROOT%` so a log made on a CI machine matches the repository on GitHub; the rules carry
 * their docs page as `help` text, since a `file:` URI of the producing machine resolves nowhere else.
 */
export function sarifReport(findings: readonly Finding[], toolVersion: string, options: SarifOptions): string {
  const root = path.resolve(options.root);
  const texts = new Map<string, string[] | undefined>();
  const linesOf = (file: string) => {
    if (!texts.has(file)) texts.set(file, (options.readText ?? readUtf8)(file)?.split(/\r?\n/));
    return texts.get(file);
  };
  const fired = new Set(findings.map((f) => f.code));
  const rules: Sarif.ReportingDescriptor[] = allChecks()
    .filter((c) => fired.has(c.id))
    .map((c) => ({ id: c.id, name: c.id, shortDescription: { text: c.title }, defaultConfiguration: { level: levels[c.severity] }, ...helpOf(c.id) }));
  const seen = new Map<string, number>();
  const results = findings.map((f): Sarif.Result => {
    const row = reportRow(f);
    // Findings on the same normalised line of the same file under one rule are told apart by their order, as GitHub does.
    const base = fingerprint(f, artifactOf(f.file, root).uri ?? f.file, linesOf);
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    return {
      ruleId: f.code,
      ruleIndex: rules.findIndex((r) => r.id === f.code),
      level: levels[f.severity],
      message: { text: row.message },
      locations: [location(f.file, f.range.start.line, f.range.start.column, root)],
      ...(f.related?.length
        ? { relatedLocations: f.related.map((r, i) => ({ id: i + 1, ...location(r.file, r.range.start.line, r.range.start.column, root), message: { text: r.message } })) }
        : {}),
      partialFingerprints: { 'livepatchLensLineHash/v1': `${base}:${occurrence}` },
    };
  });
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'livepatch-lens', version: toolVersion, rules } },
        originalUriBaseIds: { [srcRoot]: { uri: pathToFileURL(root + path.sep).href } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}

/** A file under the root as a relative URI on `%SRCROOT%`; any other as the absolute URI it is. */
function artifactOf(file: string, root: string): Sarif.ArtifactLocation {
  const absolute = file.startsWith('file:') ? fileURLToPath(file) : path.resolve(root, file);
  const relative = path.relative(root, absolute);
  if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: srcRoot };
  return { uri: pathToFileURL(absolute).href };
}

function location(file: string, line: number, column: number, root: string): Sarif.Location {
  return { physicalLocation: { artifactLocation: artifactOf(file, root), region: { startLine: line + 1, startColumn: column + 1 } } };
}

/**
 * What stays the same when lines are added above a finding: the rule, the file, and the text of
 * its line with the whitespace squeezed (or, in a payload ELF, the structure it is about).
 */
function fingerprint(f: Finding, file: string, linesOf: (file: string) => string[] | undefined): string {
  const text = f.where ?? linesOf(f.file)?.[f.range.start.line] ?? '';
  return createHash('sha256')
    .update(`${f.code}\0${file}\0${text.trim().replace(/\s+/g, ' ')}`)
    .digest('hex')
    .slice(0, 32);
}

/** The check's docs page as help: SARIF viewers show it beside the alert. */
function helpOf(id: string): Pick<Sarif.ReportingDescriptor, 'help' | 'fullDescription'> {
  const url = docsUrl(id);
  const page = url ? readUtf8(fileURLToPath(url)) : undefined;
  if (!page) return {};
  const section = (title: string) => new RegExp(`## ${title}\\s*\\n+([^#]+?)\\n\\s*(\\n|$)`).exec(page)?.[1].trim();
  const finds = section('What it finds');
  return { ...(finds ? { fullDescription: { text: finds } } : {}), help: { text: section('What to do') ?? finds ?? id, markdown: page } };
}

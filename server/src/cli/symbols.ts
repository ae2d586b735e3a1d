import { readFile } from 'node:fs/promises';
import { sharedCParser } from '../c/cParser';
import { cParseBound, documentBounds } from '../checks/documentBounds';
import { parseableText } from '../c/parseableText';
import { constructDetail, findLivepatchConstructs, LivepatchConstruct } from '../c/livepatchConstructs';
import { CliCommand, CliError, ExitCode, parseCliArgs } from './command';

const usage = `Usage: livepatch-lens symbols FILE.c... [--json]

Lists the live-patching constructs of C sources: Xen struct livepatch_func definitions and
LIVEPATCH_*_HOOKs, Linux klp_func entries, klp_object and klp_patch initializers.
Positions are 1-based line:column.

  --json   print [{"file": ..., "constructs": [{"kind", "name", "line", "column", "detail", "fields", "entries"}]}]`;

interface JsonConstruct {
  kind: string;
  name: string;
  line: number;
  column: number;
  detail: string;
  fields: Record<string, string>;
  entries: JsonConstruct[];
}

function toJson(construct: LivepatchConstruct): JsonConstruct {
  return {
    kind: construct.kind,
    name: construct.name,
    line: construct.selectionRange.start.line + 1,
    column: construct.selectionRange.start.column + 1,
    detail: constructDetail(construct),
    fields: construct.fields,
    entries: construct.entries.map(toJson),
  };
}

function toText(construct: LivepatchConstruct, indent: string): string[] {
  const { line, column } = construct.selectionRange.start;
  const detail = constructDetail(construct);
  const head = `${indent}${line + 1}:${column + 1}  ${construct.kind} ${construct.name}${detail ? `  ${detail}` : ''}`;
  return [head, ...construct.entries.flatMap((entry) => toText(entry, `${indent}  `))];
}

export const symbolsCommand: CliCommand = {
  name: 'symbols',
  summary: 'list the livepatch constructs of C sources (what the editor outline shows)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCliArgs({ args, allowPositionals: true, strict: true, options: { json: { type: 'boolean' } } });
    if (positionals.length === 0) throw new CliError(`no file given\n${usage}`);
    const parser = await sharedCParser();
    const results = [];
    for (const file of positionals) {
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
      });
      // As `check` refuses it: the parse is what the bounds are there for.
      const outOfBounds = documentBounds(file, text) ?? cParseBound(file, text);
      if (outOfBounds) throw new CliError(outOfBounds.message);
      const tree = parser.parse(parseableText(text).text);
      if (!tree) throw new CliError(`${file}: the C parser gave no tree`);
      results.push({ file, constructs: findLivepatchConstructs(tree) });
      tree.delete();
    }
    if (values.json) {
      io.out(
        JSON.stringify(
          results.map((r) => ({ file: r.file, constructs: r.constructs.map(toJson) })),
          null,
          2,
        ),
      );
    } else {
      io.out(results.map((r) => [r.file, ...(r.constructs.length ? r.constructs.flatMap((c) => toText(c, '  ')) : ['  (no livepatch constructs)'])].join('\n')).join('\n\n'));
    }
    return ExitCode.Ok;
  },
};

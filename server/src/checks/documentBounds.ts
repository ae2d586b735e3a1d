import { howToRaise, type LimitName, limits, limitSpecs, utf8BytesPast } from '../limits';
import { CheckInfo, registerChecks } from './catalogue';
import { startOfFile, type Finding } from './finding';

/**
 * LP235: a patch or C document past the bounds the analyzers read (`documentBytes`,
 * `lineLength`) gets this one finding instead of an analysis: a document's author, not the
 * user, would otherwise decide how long the server is busy and how much memory it takes. A C
 * document within those but past `cParseBytes` gets it as information: it is not parsed.
 */
export const documentBoundsCheck = { id: 'LP235', title: 'Document too large to analyse', severity: 'error' } as const satisfies CheckInfo;

registerChecks([documentBoundsCheck]);

/**
 * The finding for a C document too large to parse (`cParseBytes`), else undefined. Such a file is
 * within the document bounds, so it is not an error: it is shown, just not parsed, and the
 * message says so and how to have it parsed.
 */
export function cParseBound(file: string, text: string): Finding | undefined {
  const limit = limits().cParseBytes;
  const bytes = utf8BytesPast(text, limit);
  if (bytes === undefined) return undefined;
  return {
    code: documentBoundsCheck.id,
    severity: 'information',
    file,
    range: startOfFile,
    message: `${file} is ${bytes} bytes long, more than the ${limit} ${limitSpecs.cParseBytes.what}, so it is not parsed: it gets no livepatch checks, outline or hovers. Every .c file of Linux 6.1 is under 2 MiB (the largest 1.7 MB); a C file this size is usually generated. To have it parsed, ${howToRaise('cParseBytes')} (at most ${limitSpecs.cParseBytes.ceiling / 1048576} MiB).`,
  };
}

/** The finding for a document past the size or line-length limit, at the first line too long; undefined when it is within both. */
export function documentBounds(file: string, text: string): Finding | undefined {
  const limit = limits().documentBytes;
  const bytes = utf8BytesPast(text, limit);
  if (bytes !== undefined)
    return boundsFinding(file, 0, 0, `${file} is ${bytes} bytes long, more than the ${limit} ${limitSpecs.documentBytes.what} the analyzers read`, 'documentBytes');
  const longest = limits().lineLength;
  if (text.length <= longest) return undefined;
  for (let start = 0, line = 0; start <= text.length; line++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    if (end - start > longest) {
      return boundsFinding(
        file,
        line,
        longest,
        `line ${line + 1} of ${file} is ${end - start} characters long, more than the ${longest} ${limitSpecs.lineLength.what} the analyzers read`,
        'lineLength',
      );
    }
    if (newline < 0) break;
    start = newline + 1;
  }
  return undefined;
}

function boundsFinding(file: string, line: number, column: number, what: string, limit: LimitName): Finding {
  // prettier-ignore
  return {
    code: documentBoundsCheck.id,
    severity: documentBoundsCheck.severity,
    file,
    range: { start: { line, column: 0 }, end: { line, column } },
    message: `${what}, so it is not analysed. A file this size is usually generated or binary, not a patch or source someone wrote; if it is one, ${howToRaise(limit)}.`,
  };
}

import { howToRaise, limits, limitSpecs } from '../limits';
import { CheckInfo, registerChecks } from './catalogue';
import type { Finding } from './finding';

/**
 * LP235: a patch or C document past the bounds the analyzers read (`documentBytes`,
 * `lineLength`) gets this one finding instead of an analysis: a document's author, not the
 * user, would otherwise decide how long the server is busy and how much memory it takes.
 */
export const documentBoundsCheck = { id: 'LP235', title: 'Document too large to analyse', severity: 'error' } as const satisfies CheckInfo;

registerChecks([documentBoundsCheck]);

/** The finding for a document of `bytes` bytes when that is past the limit. */
function oversizedDocument(file: string, bytes: number): Finding | undefined {
  const limit = limits().documentBytes;
  if (bytes <= limit) return undefined;
  return boundsFinding(file, 0, 0, `${file} is ${bytes} bytes long, more than the ${limit} ${limitSpecs.documentBytes.what} the analyzers read`, 'documentBytes');
}

/** The finding for a document past the size or line-length limit, at the first line too long; undefined when it is within both. */
export function documentBounds(file: string, text: string): Finding | undefined {
  // UTF-16 units are at most as many as UTF-8 bytes: only a text that may be too large is measured exactly.
  const oversized = text.length * 3 > limits().documentBytes ? oversizedDocument(file, Buffer.byteLength(text, 'utf8')) : undefined;
  if (oversized) return oversized;
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

function boundsFinding(file: string, line: number, column: number, what: string, limit: 'documentBytes' | 'lineLength'): Finding {
  // prettier-ignore
  return {
    code: documentBoundsCheck.id,
    severity: documentBoundsCheck.severity,
    file,
    range: { start: { line, column: 0 }, end: { line, column } },
    message: `${what}, so it is not analysed. A file this size is usually generated or binary, not a patch or source someone wrote; if it is one, ${howToRaise(limit)}.`,
  };
}

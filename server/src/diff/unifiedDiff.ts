/**
 * A unified diff as `git diff`, `git format-patch`, `diff -u` and quilt write it, read into
 * files and hunks that remember where each line sits in the patch document (so findings land
 * on the line the author wrote) and in the old and new file. Malformed input never throws: what
 * can be read is kept, and each problem names its line.
 */

export type DiffLineKind = 'context' | 'added' | 'removed';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
  /** 0-based line in the patch document. */
  patchLine: number;
  /** 1-based line in the old file (context and removed lines) and in the new file (context and added lines), as the hunk header says. */
  oldLine?: number;
  newLine?: number;
  /** Followed by `\ No newline at end of file`. */
  noNewlineAtEnd: boolean;
}

export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** What follows the second `@@`: git's function context, often the enclosing function's header. */
  section: string;
  /** 0-based line of the `@@` header in the patch document. */
  patchLine: number;
  lines: DiffLine[];
}

export type FileStatus = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

export interface FileDiff {
  /** Names as written in the headers, without `a/` `b/`-style first components; null for /dev/null. */
  oldPath: string | null;
  newPath: string | null;
  /** The names exactly as written, for `patch -p0`-style lookups. */
  oldName: string | null;
  newName: string | null;
  status: FileStatus;
  binary: boolean;
  hunks: Hunk[];
  /** 0-based line of the first header line of this file (`diff --git` or `---`). */
  patchLine: number;
}

export interface DiffProblem {
  patchLine: number;
  message: string;
}

export interface ParsedDiff {
  files: FileDiff[];
  problems: DiffProblem[];
}

const hunkHeader = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;
const gitHeader = /^diff --git (.+)$/;

export function parseUnifiedDiff(text: string): ParsedDiff {
  return new DiffReader(text).read();
}

class DiffReader {
  private readonly lines: string[];
  private index = 0;
  private readonly files: FileDiff[] = [];
  private readonly problems: DiffProblem[] = [];

  constructor(text: string) {
    this.lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
    if (this.lines.length && this.lines[this.lines.length - 1] === '') this.lines.pop();
  }

  read(): ParsedDiff {
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (gitHeader.test(line)) this.readGitFile();
      else if (line.startsWith('--- ') && this.lines[this.index + 1]?.startsWith('+++ ')) this.readPlainFile();
      else if (line.startsWith('@@ ')) {
        this.problem(this.index++, 'hunk header outside any file: a `---`/`+++` pair (or `diff --git`) must come first');
        this.skipHunkBody();
      } else this.index++;
    }
    return { files: this.files, problems: this.problems };
  }

  private problem(patchLine: number, message: string): void {
    this.problems.push({ patchLine, message });
  }

  /** `diff --git a/x b/x`, extended headers, then `---`/`+++` and hunks unless the change is mode-only, binary or a pure rename. */
  private readGitFile(): void {
    const start = this.index;
    const names = splitGitNames(gitHeader.exec(this.lines[this.index])?.[1] ?? '');
    const file: FileDiff = {
      oldName: names?.[0] ?? null,
      newName: names?.[1] ?? null,
      oldPath: names ? stripGitPrefix(names[0], 'a/') : null,
      newPath: names ? stripGitPrefix(names[1], 'b/') : null,
      status: 'modified',
      binary: false,
      hunks: [],
      patchLine: start,
    };
    if (!names) this.problem(start, 'cannot read the two file names of this `diff --git` line');
    this.index++;
    for (; this.index < this.lines.length; this.index++) {
      const line = this.lines[this.index];
      if (line.startsWith('new file mode')) file.status = 'added';
      else if (line.startsWith('deleted file mode')) file.status = 'deleted';
      else if (line.startsWith('rename from ')) {
        file.status = 'renamed';
        file.oldPath = file.oldName = unquote(line.slice('rename from '.length));
      } else if (line.startsWith('rename to ')) file.newPath = file.newName = unquote(line.slice('rename to '.length));
      else if (line.startsWith('copy from ')) {
        file.status = 'copied';
        file.oldPath = file.oldName = unquote(line.slice('copy from '.length));
      } else if (line.startsWith('copy to ')) file.newPath = file.newName = unquote(line.slice('copy to '.length));
      else if (line.startsWith('Binary files ') || line === 'GIT binary patch') file.binary = true;
      else if (!/^(old mode|new mode|index |similarity index|dissimilarity index)/.test(line)) break;
    }
    if (this.lines[this.index]?.startsWith('--- ')) {
      if (!this.lines[this.index + 1]?.startsWith('+++ ')) {
        this.problem(this.index, '`---` line without the `+++` line that must follow it');
        this.index++;
      } else this.readNames(file, true);
    }
    if (file.status === 'added') file.oldPath = file.oldName = null;
    if (file.status === 'deleted') file.newPath = file.newName = null;
    this.readHunks(file);
    this.files.push(file);
  }

  private readPlainFile(): void {
    const file: FileDiff = {
      oldName: null,
      newName: null,
      oldPath: null,
      newPath: null,
      status: 'modified',
      binary: false,
      hunks: [],
      patchLine: this.index,
    };
    this.readNames(file, false);
    if (file.oldName === null) file.status = 'added';
    else if (file.newName === null) file.status = 'deleted';
    this.readHunks(file);
    this.files.push(file);
  }

  /** The `---`/`+++` pair; a name is cut at a tab (diff -u's timestamp) and /dev/null means absent. */
  private readNames(file: FileDiff, git: boolean): void {
    const name = (line: string): string | null => {
      const raw = line.slice(4);
      const written = raw.startsWith('"') ? unquote(raw) : raw.split('\t')[0].trimEnd();
      return written === '/dev/null' ? null : written;
    };
    const oldName = name(this.lines[this.index]);
    const newName = name(this.lines[this.index + 1]);
    if (git) {
      if (oldName !== null) file.oldPath = stripGitPrefix((file.oldName = oldName), 'a/');
      if (newName !== null) file.newPath = stripGitPrefix((file.newName = newName), 'b/');
    } else {
      file.oldName = oldName;
      file.newName = newName;
      file.oldPath = oldName === null ? null : stripFirstComponent(oldName);
      file.newPath = newName === null ? null : stripFirstComponent(newName);
    }
    this.index += 2;
  }

  private readHunks(file: FileDiff): void {
    while (this.index < this.lines.length && this.lines[this.index].startsWith('@@')) {
      const hunk = this.readHunk();
      if (hunk) file.hunks.push(hunk);
    }
  }

  private readHunk(): Hunk | undefined {
    const headerLine = this.index;
    const match = hunkHeader.exec(this.lines[headerLine]);
    this.index++;
    if (!match) {
      this.problem(headerLine, 'malformed hunk header: expected `@@ -<line>[,<count>] +<line>[,<count>] @@`');
      this.skipHunkBody();
      return undefined;
    }
    const numbers = [match[1], match[2] ?? '1', match[3], match[4] ?? '1'];
    const unsafe = numbers.find((n) => !Number.isSafeInteger(Number(n)));
    if (unsafe !== undefined) {
      // Past 2^53 a number no longer counts lines one by one: no file has that many, so the header is broken.
      this.problem(headerLine, `malformed hunk header: ${unsafe} is larger than any line number or count a file can have (at most ${Number.MAX_SAFE_INTEGER})`);
      this.skipHunkBody();
      return undefined;
    }
    const [oldStart, oldCount, newStart, newCount] = numbers.map(Number);
    const hunk: Hunk = { oldStart, oldCount, newStart, newCount, section: match[5].trim(), patchLine: headerLine, lines: [] };
    let oldLeft = oldCount;
    let newLeft = newCount;
    let oldLine = oldStart;
    let newLine = newStart;
    while ((oldLeft > 0 || newLeft > 0) && this.index < this.lines.length) {
      const text = this.lines[this.index];
      // Editors that strip trailing blanks turn an empty context line " " into "": GNU patch accepts it.
      const marker = text === '' ? ' ' : text[0];
      if (marker === '\\') {
        this.markNoNewline(hunk);
        this.index++;
        continue;
      }
      if (marker === ' ' && oldLeft > 0 && newLeft > 0) {
        hunk.lines.push({ kind: 'context', text: text.slice(1), patchLine: this.index, oldLine: oldLine++, newLine: newLine++, noNewlineAtEnd: false });
        oldLeft--;
        newLeft--;
      } else if (marker === '-' && oldLeft > 0) {
        hunk.lines.push({ kind: 'removed', text: text.slice(1), patchLine: this.index, oldLine: oldLine++, noNewlineAtEnd: false });
        oldLeft--;
      } else if (marker === '+' && newLeft > 0) {
        hunk.lines.push({ kind: 'added', text: text.slice(1), patchLine: this.index, newLine: newLine++, noNewlineAtEnd: false });
        newLeft--;
      } else break;
      this.index++;
    }
    if (oldLeft > 0 || newLeft > 0) {
      const where = this.index < this.lines.length ? `at line ${this.index + 1}` : 'at the end of the patch';
      this.problem(
        headerLine,
        `hunk ${this.lines[headerLine].split(' @@')[0]} @@ is cut short ${where}: ${oldLeft} old and ${newLeft} new line(s) missing (the header's counts do not match its lines)`,
      );
    }
    if (this.lines[this.index]?.startsWith('\\')) {
      this.markNoNewline(hunk);
      this.index++;
    }
    return hunk;
  }

  private markNoNewline(hunk: Hunk): void {
    const last = hunk.lines[hunk.lines.length - 1];
    if (last) last.noNewlineAtEnd = true;
    else this.problem(this.index, '`\\ No newline at end of file` before any line of the hunk');
  }

  /** After a broken header, skip what looks like its body so its lines are not read as headers. */
  private skipHunkBody(): void {
    while (this.index < this.lines.length && /^[ +\-\\]/.test(this.lines[this.index]) && !this.lines[this.index].startsWith('--- ')) this.index++;
  }
}

function stripGitPrefix(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** `patch -p1`: drop the first directory (`a/`, `linux-6.1.orig/`, ...) when there is one. */
function stripFirstComponent(name: string): string {
  const slash = name.indexOf('/');
  return slash > 0 ? name.slice(slash + 1) : name;
}

/** `a/x b/x` where either may be C-quoted; unquoted names with spaces split where the `b/` half starts. */
function splitGitNames(rest: string): [string, string] | undefined {
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    if (end < 0) return undefined;
    const second = rest.slice(end + 1).trimStart();
    return [unquote(rest.slice(0, end + 1)), unquote(second)];
  }
  if (rest.endsWith('"')) {
    const open = rest.lastIndexOf(' "');
    return open < 0 ? undefined : [rest.slice(0, open), unquote(rest.slice(open + 1))];
  }
  // Same name on both sides is the common case and the only safe split when names hold spaces.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ' && rest.slice(0, half).replace(/^a\//, '') === rest.slice(half + 1).replace(/^b\//, '')) {
    return [rest.slice(0, half), rest.slice(half + 1)];
  }
  const split = rest.indexOf(' b/');
  if (split > 0) return [rest.slice(0, split), rest.slice(split + 1)];
  const parts = rest.split(' ');
  return parts.length === 2 ? [parts[0], parts[1]] : undefined;
}

function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

const escapes: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', r: '\r', v: '\v' };

/** Git's C-style quoting of unusual names (octal escapes are UTF-8 bytes). */
function unquote(name: string): string {
  if (!name.startsWith('"') || !name.endsWith('"') || name.length < 2) return name;
  const bytes: number[] = [];
  const body = name.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') {
      bytes.push(...Buffer.from(body[i], 'utf8'));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(escapes[body[i + 1]] ?? body[i + 1] ?? '', 'utf8'));
      i++;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

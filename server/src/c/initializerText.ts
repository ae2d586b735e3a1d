import type { SourcePosition, SourceRange } from './sourceRange';

/**
 * A C initializer list as plain data: its elements, and for each one that is itself a list, the
 * designated fields (`.a = 1, .b = { .c = f }` -> a, b, b.c) with where their values are
 * written. Read from the text when tree-sitter found the list well formed: a `klp_func` array of
 * 330,000 entries is 2.3 million nodes, and each node read through tree-sitter's WASM binding
 * costs an object and a few calls across it, seconds in all, where one scan of the text takes
 * a tenth of that. Anything the scan is not sure of (a directive, a line continuation, brackets
 * that do not balance) gives `undefined`, and the caller reads the nodes instead.
 */
export interface FieldValue {
  text: string;
  range: SourceRange;
}

export interface InitializerList {
  elements: InitializerElement[];
  /** Designated fields, nested ones flattened as `outer.inner`, in the order written; a field written twice has its last value. */
  fields: Map<string, FieldValue>;
}

export interface InitializerElement {
  /** From its first token to its last: `.a = 1`, `{ .a = 1 }`, `0`. */
  text: string;
  range: SourceRange;
  /** An element of the outermost list that is itself a `{ ... }` list (an array's entry): its elements and fields. */
  list?: InitializerList;
}

/**
 * The list whose `{` is at `start` (at `position`), or undefined when the text is not plainly one.
 * With `each`, the outermost list's elements go to it as they are read instead of into the list,
 * so a huge array is never held twice (an element already passed on stands even if the list
 * then turns out unreadable: the caller starts again from the nodes).
 */
export function readInitializerText(source: string, start: number, position: SourcePosition, each?: (element: InitializerElement) => void): InitializerList | undefined {
  const scanner = new Scanner(source, start, position, each);
  return scanner.list('', 0)?.list;
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isWordStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isWord = (c: number): boolean => isWordStart(c) || (c >= 48 && c <= 57);

const [openBrace, closeBrace, comma, dot, equals, slash, star, quote, apostrophe, backslash, newline, hash, semicolon] = [...'{},.=/*"\'\\\n#;'].map((c) => c.charCodeAt(0));
const closerOf = new Map([...'([{'].map((c, i) => [c.charCodeAt(0), ')]}'.charCodeAt(i)]));
const maxDepth = 256;
const closers = new Set([...')]}'].map((c) => c.charCodeAt(0)));

class Scanner {
  private row: number;
  private lineStart: number;
  /** Where the value read last ends (after its last token, before any blank or comment), and the fields of the list it is, if one. */
  private valueEnd = 0;
  private valueFields: Map<string, FieldValue> | undefined;

  constructor(
    private readonly text: string,
    private at: number,
    position: SourcePosition,
    private readonly each: ((element: InitializerElement) => void) | undefined,
  ) {
    this.row = position.line;
    this.lineStart = at - position.column;
  }

  private position(): SourcePosition {
    return { line: this.row, column: this.at - this.lineStart };
  }

  private code(offset = 0): number {
    return this.text.charCodeAt(this.at + offset);
  }

  private step(): void {
    if (this.code() === newline) {
      this.row++;
      this.lineStart = this.at + 1;
    }
    this.at++;
  }

  /** Blanks and comments; false on what the scan does not follow (a line continuation, a directive, an unclosed comment). */
  private skipSpace(): boolean {
    for (;;) {
      const c = this.code();
      if (isSpace(c)) this.step();
      else if (c === slash && this.code(1) === star) {
        const close = this.text.indexOf('*/', this.at + 2);
        if (close < 0) return false;
        while (this.at < close + 2) this.step();
      } else if (c === slash && this.code(1) === slash) {
        while (this.at < this.text.length && this.code() !== newline) {
          if (this.code() === backslash) return false;
          this.at++;
        }
      } else return c !== backslash && c !== hash;
    }
  }

  /** `{ element, ... }` at the current `{`, `depth` lists deep; field names below it get `prefix`. */
  list(prefix: string, depth: number): { list: InitializerList; range: SourceRange } | undefined {
    // Far deeper than any real initializer: the tree, read with its own stack, takes over.
    if (depth > maxDepth) return undefined;
    const start = this.position();
    this.step();
    const list: InitializerList = { elements: [], fields: new Map() };
    for (;;) {
      if (!this.skipSpace()) return undefined;
      if (this.code() === closeBrace) break;
      const element = this.element(prefix, list.fields, depth);
      if (!element || !this.skipSpace()) return undefined;
      if (depth === 0 && this.each) this.each(element);
      else list.elements.push(element);
      if (this.code() === comma) this.step();
      else if (this.code() !== closeBrace) return undefined;
    }
    this.step();
    return { list, range: { start, end: this.position() } };
  }

  /** `.field = value` (other designators after the first are passed over, as the tree reader does) or a bare value. */
  private element(prefix: string, fields: Map<string, FieldValue>, depth: number): InitializerElement | undefined {
    const from = this.at;
    const start = this.position();
    let field: string | undefined;
    if (this.code() === dot) {
      this.step();
      if (!this.skipSpace()) return undefined;
      if (isWordStart(this.code())) {
        while (isWord(this.code())) this.at++;
        // As the designator's text reads, comments after the dot included.
        field = prefix + this.text.slice(from + 1, this.at).trim();
        if (!this.skipDesignators()) return undefined;
        this.step();
        if (!this.skipSpace()) return undefined;
      } else {
        // `.5`: a number, read as a value from its start.
        this.at = from;
        this.lineStart = from - start.column;
        this.row = start.line;
      }
    }
    const value = this.value(field === undefined ? prefix : `${field}.`, depth);
    if (!value) return undefined;
    if (field !== undefined) {
      fields.set(field, { text: value.text, range: value.range });
      for (const [inner, innerValue] of this.valueFields ?? []) fields.set(inner, innerValue);
    }
    if (field === undefined) return value;
    return { text: this.text.slice(from, this.valueEnd), range: { start, end: value.range.end } };
  }

  /** After the first designator: `.b`, `[i]` until the `=`. */
  private skipDesignators(): boolean {
    for (;;) {
      if (!this.skipSpace()) return false;
      const c = this.code();
      if (c === equals) return true;
      if (c === dot) {
        this.step();
        if (!this.skipSpace() || !isWordStart(this.code())) return false;
        while (isWord(this.code())) this.at++;
      } else if (c === '['.charCodeAt(0)) {
        if (this.balanced() === undefined) return false;
      } else return false;
    }
  }

  /** A value: a nested list, or tokens up to the `,` or `}` that ends it at depth 0. */
  private value(prefix: string, depth: number): InitializerElement | undefined {
    if (this.code() === openBrace) {
      const from = this.at;
      const read = this.list(prefix, depth + 1);
      this.valueEnd = this.at;
      this.valueFields = read?.list.fields;
      return read && { text: this.text.slice(from, this.at), range: read.range, ...(depth === 0 ? { list: read.list } : {}) };
    }
    const from = this.at;
    const start = this.position();
    let end: SourcePosition | undefined;
    let to = from;
    while (this.at < this.text.length) {
      if (!this.skipSpace()) return undefined;
      const c = this.code();
      if (c === comma || c === closeBrace) break;
      if (closers.has(c) || c === semicolon) return undefined;
      const after = closerOf.has(c) ? this.balanced() : this.token();
      if (after === undefined) return undefined;
      to = this.at;
      end = this.position();
    }
    if (!end || this.at >= this.text.length) return undefined;
    this.valueEnd = to;
    this.valueFields = undefined;
    return { text: this.text.slice(from, to), range: { start, end } };
  }

  /** One token that is not a bracket: a string or character constant, or a run of other characters. */
  private token(): number | undefined {
    const c = this.code();
    if (c === quote || c === apostrophe) {
      for (this.at++; this.code() !== c; this.at++) {
        const inside = this.code();
        if (inside === newline || inside === backslash || Number.isNaN(inside)) {
          if (inside !== backslash || this.code(1) === newline || this.code(1) === 13) return undefined;
          this.at++;
        }
      }
      this.at++;
      return this.at;
    }
    this.at++;
    return this.at;
  }

  /** `(...)`, `[...]` or `{...}` at the current opener, whatever is inside (commas too). */
  private balanced(): number | undefined {
    const expected = [closerOf.get(this.code()) ?? 0];
    this.step();
    while (expected.length) {
      if (!this.skipSpace()) return undefined;
      const c = this.code();
      if (Number.isNaN(c) || c === semicolon) return undefined;
      if (closerOf.has(c)) {
        expected.push(closerOf.get(c) ?? 0);
        this.step();
      } else if (closers.has(c)) {
        if (expected.pop() !== c) return undefined;
        this.step();
      } else if (this.token() === undefined) return undefined;
    }
    return this.at;
  }
}

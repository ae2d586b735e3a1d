import { evaluateCondition, type ConditionValue, type MacroLookup, type MacroState } from './conditionExpression';
import type { KernelConfig } from './kernelConfig';
import { blankRanges, newlinesIn } from './blankedText';

/**
 * The C text the compiler would see after choosing one branch of every `#if`/`#ifdef`/`#elif`/
 * `#else` group, every offset and line kept: the other branches and the conditional directives
 * themselves are blanked (spaces, newlines kept). tree-sitter reads each directive as a node of
 * its own, so the kernel idiom of one function header per branch
 * (`#ifdef CONFIG_X` / `static int f(int a)` / `#else` / `static int f(void)` / `#endif` / `{`)
 * or a group cut by a window of lines is a syntax error to it though the compiler is happy.
 *
 * A branch is chosen as the preprocessor would: with a kernel configuration, `CONFIG_*` names
 * are defined as its `autoconf.h` defines them (`IS_ENABLED()`, `IS_BUILTIN()`, `IS_MODULE()`
 * too); `#define`/`#undef` earlier in the compiled text count; `#if 0` is false. A condition
 * that stays unknown (a macro from a header, a `CONFIG_*` without a configuration) is taken as
 * true: the first branch whose condition is not known false is compiled.
 *
 * A directive with no group (`#endif` without `#if`) and the opening directive of a group never
 * closed are left as they are and listed: the compiler stops there.
 */
export interface CompiledText {
  text: string;
  /** Branches not compiled, in order, outermost only. */
  skipped: SkippedBranch[];
  /** Branches compiled because their condition, of unknown value, was taken as true (`known` is false), in order. */
  guessed: SkippedBranch[];
  /** The conditional directives of the groups (each blanked in `text`). */
  directives: ConditionalDirective[];
  /** How many groups were decided on a condition whose value is unknown. */
  assumed: number;
  /** Directives left in `text` because they belong to no closed group: the compiler stops at them. */
  unbalanced: UnbalancedDirective[];
}

export interface UnbalancedDirective extends Directive {
  /** `stray`: `#else`/`#elif`/`#endif` with no `#if`; `unclosed`: an `#if` with no `#endif`. */
  problem: 'stray' | 'unclosed';
}

export interface Directive {
  /** 0-based first and last line (a directive may continue over several with `\`). */
  line: number;
  last: number;
  /** `#ifdef CONFIG_X`: comments out, spacing collapsed. */
  text: string;
}

/** A branch of a group; `SkippedBranch` for the guessed ones too. */
export interface SkippedBranch {
  /** 0-based first and last line of the branch's text, inclusive (last < first: an empty branch). */
  first: number;
  last: number;
  /** The directive that opens this branch (`#else`, `#elif ...`, or the group's opener). */
  branch: Directive;
  /** The group's `#if`/`#ifdef`/`#ifndef`. */
  opener: Directive;
  /** False when the branch was left out only because an earlier condition of unknown value was taken as true. */
  known: boolean;
}

export interface ConditionalDirective extends Directive {
  /** Every condition its group evaluated had a known value. */
  known: boolean;
}

interface RawDirective extends Directive {
  start: number;
  /** Index of the newline that ends it (or the text's length). */
  end: number;
  keyword: string;
  /** What follows the keyword, comments out. */
  rest: string;
}

interface Group {
  opener: RawDirective;
  directives: RawDirective[];
  parentActive: boolean;
  taken: boolean;
  active: boolean;
  /** An unknown condition was taken as true. */
  unknown: boolean;
  branch: RawDirective;
  /** Whether the current branch, when inactive, is known to be so; when active, known to be active. */
  branchKnown: boolean;
}

/** Names whose state is the same in every kernel or Xen compilation of a C file. */
const fixedMacros: ReadonlyMap<string, MacroState> = new Map([
  ['__GENKSYMS__', { defined: false }],
  ['__ASSEMBLY__', { defined: false }],
  ['__CHECKER__', { defined: false }],
]);

const opening = new Set(['if', 'ifdef', 'ifndef']);
const continuing = new Set(['elif', 'elifdef', 'elifndef', 'else', 'endif']);
const mayHaveConditionals = /^[ \t]*#[ \t]*(?:if|el|endif)/m;

export function compiledBranches(text: string, config?: KernelConfig): CompiledText {
  if (!mayHaveConditionals.test(text)) return { text, skipped: [], guessed: [], directives: [], assumed: 0, unbalanced: [] };
  const locals = new Map<string, MacroState>();
  const lookup: MacroLookup = (name) => locals.get(name) ?? fixedMacros.get(name) ?? configState(name, config);
  const skipped: SkippedBranch[] = [];
  const guessed: SkippedBranch[] = [];
  const directives: ConditionalDirective[] = [];
  const blank: Array<[number, number]> = [];
  const stack: Group[] = [];
  const unbalanced: UnbalancedDirective[] = [];
  let assumed = 0;
  let active = true;
  const closeBranch = (group: Group, next: { line: number; start: number }): void => {
    if (!group.parentActive || (group.active && group.branchKnown)) return;
    const branch = { first: group.branch.last + 1, last: next.line - 1, branch: plain(group.branch), opener: plain(group.opener), known: group.branchKnown };
    if (group.active) return void guessed.push(branch);
    skipped.push(branch);
    blank.push([group.branch.end, next.start]);
  };
  const all = [...scanDirectives(text)];
  const decide = (group: Group, directive: RawDirective, index: number): void => {
    if (!group.parentActive || group.taken) {
      group.active = false;
      group.branchKnown = !group.unknown;
      return;
    }
    const value = isIncludeGuard(directive, all[index + 1]) ? 1n : conditionValue(directive, lookup);
    group.active = value !== 0n;
    group.branchKnown = value !== undefined;
    if (value === undefined && !group.unknown) assumed++;
    if (value === undefined) group.unknown = true;
    group.taken = group.active;
  };
  for (const [index, directive] of all.entries()) {
    const { keyword } = directive;
    if (opening.has(keyword)) {
      const group: Group = { opener: directive, directives: [directive], parentActive: active, taken: false, active: false, unknown: false, branch: directive, branchKnown: true };
      stack.push(group);
      decide(group, directive, index);
    } else if (continuing.has(keyword)) {
      const group = stack[stack.length - 1];
      // No group to continue: the compiler's "#else without #if", left in the text.
      if (!group) {
        unbalanced.push({ ...plain(directive), problem: 'stray' });
        continue;
      }
      closeBranch(group, directive);
      group.directives.push(directive);
      if (keyword === 'endif') {
        stack.pop();
        for (const d of group.directives) {
          blank.push([d.start, d.end]);
          if (group.parentActive) directives.push({ ...plain(d), known: !group.unknown });
        }
      } else {
        group.branch = directive;
        decide(group, directive, index);
      }
    } else if (active) {
      defineLocal(directive, locals);
    }
    active = stack.length ? stack[stack.length - 1].active : true;
  }
  // Groups never closed: their branches are chosen the same way, their opening directives stay for the parser.
  for (const group of stack.reverse()) {
    closeBranch(group, { line: newlinesIn(text, 0, text.length) + 1, start: text.length });
    for (const d of group.directives.slice(1)) blank.push([d.start, d.end]);
    unbalanced.push({ ...plain(group.opener), problem: 'unclosed' });
  }
  return {
    text: blankRanges(text, blank),
    skipped: skipped.sort((a, b) => a.first - b.first),
    guessed: guessed.sort((a, b) => a.first - b.first),
    directives: directives.sort((a, b) => a.line - b.line),
    assumed,
    unbalanced: unbalanced.sort((a, b) => a.line - b.line),
  };
}

/** `#ifndef X` then `#define X`: a header's include guard, not defined on the first inclusion, which is the one analysed. */
function isIncludeGuard(directive: RawDirective, next: RawDirective | undefined): boolean {
  if (directive.keyword !== 'ifndef' || next?.keyword !== 'define') return false;
  const name = /^\s*(\w+)/.exec(directive.rest)?.[1];
  return name !== undefined && name === /^\s*(\w+)/.exec(next.rest)?.[1];
}

function configState(name: string, config: KernelConfig | undefined): MacroState {
  if (!config || !name.startsWith('CONFIG_')) return undefined;
  const value = config.macros.get(name);
  return value === undefined ? { defined: false } : { defined: true, value };
}

function conditionValue(directive: RawDirective, lookup: MacroLookup): ConditionValue {
  const { keyword, rest } = directive;
  if (keyword === 'else') return 1n;
  if (keyword === 'if' || keyword === 'elif') return evaluateCondition(rest, lookup);
  const name = /^\s*([A-Za-z_]\w*)/.exec(rest)?.[1];
  const state = name ? lookup(name) : undefined;
  if (state === undefined) return undefined;
  return keyword.endsWith('ndef') ? (state.defined ? 0n : 1n) : state.defined ? 1n : 0n;
}

function defineLocal(directive: RawDirective, locals: Map<string, MacroState>): void {
  const match = /^\s*([A-Za-z_]\w*)(\()?\s*(.*)$/s.exec(directive.rest);
  if (!match) return;
  if (directive.keyword === 'define') locals.set(match[1], { defined: true, value: match[2] ? '' : match[3].trim() });
  else if (directive.keyword === 'undef') locals.set(match[1], { defined: false });
}

function plain(d: RawDirective): Directive {
  return { line: d.line, last: d.last, text: d.text };
}

/**
 * Every preprocessor directive, in order: a `#` first on its line outside comments and strings,
 * to the end of its logical line. One regular expression steps from comment to string to line
 * start, so the text between them is not walked character by character (a kernel file is 300 KB).
 */
function* scanDirectives(text: string): Generator<RawDirective> {
  const lexemes = /\/\*[\s\S]*?(?:\*\/|(?![\s\S]))|\/\/(?:[^\n\\]|\\[\s\S])*|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?|^([ \t]*)#/gm;
  let line = 0;
  let counted = 0;
  for (let match = lexemes.exec(text); match; match = lexemes.exec(text)) {
    if (match[1] === undefined) continue;
    const start = match.index + match[1].length;
    line += newlinesIn(text, counted, start);
    const directive = readDirective(text, start, line);
    yield directive;
    line = directive.last;
    counted = directive.end;
    lexemes.lastIndex = directive.end;
  }
}

/** The newline that ends a `//` comment (a backslash before it continues the comment). */
function lineCommentEnd(text: string, at: number): number {
  for (let end = text.indexOf('\n', at); ; end = text.indexOf('\n', end + 1)) {
    if (end < 0) return text.length;
    if (!isContinued(text, end)) return end;
  }
}

function isContinued(text: string, newline: number): boolean {
  const before = text[newline - 1] === '\r' ? newline - 2 : newline - 1;
  return text[before] === '\\';
}

/** Just past a string or character constant; an unclosed one ends at the line's end, as the lexer gives up there. */
function quotedEnd(text: string, at: number): number {
  const quote = text[at];
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === quote) return i + 1;
    else if (c === '\n') return i;
  }
  return text.length;
}

function readDirective(text: string, start: number, line: number): RawDirective {
  let body = '';
  let last = line;
  let at = start + 1;
  for (; at < text.length;) {
    const c = text[at];
    if (c === '\n') {
      if (!isContinued(text, at)) break;
      body = body.replace(/\\\r?$/, '');
      last++;
      at++;
    } else if (c === '/' && text[at + 1] === '*') {
      const close = text.indexOf('*/', at + 2);
      const end = close < 0 ? text.length : close + 2;
      last += newlinesIn(text, at, end);
      body += ' ';
      at = end;
    } else if (c === '/' && text[at + 1] === '/') {
      const end = lineCommentEnd(text, at);
      last += newlinesIn(text, at, end);
      at = end;
    } else if (c === '"' || c === "'") {
      const end = quotedEnd(text, at);
      body += text.slice(at, end);
      at = end;
    } else {
      body += c;
      at++;
    }
  }
  const keyword = /^\s*(\w*)/.exec(body)?.[1] ?? '';
  const rest = body.slice(body.indexOf(keyword) + keyword.length);
  return { start, end: at, line, last, keyword, rest, text: `#${keyword}${rest.trim() ? ` ${rest.trim().replace(/\s+/g, ' ')}` : ''}` };
}

/**
 * The text as written, but with the branches the preprocessor certainly leaves out blanked
 * (newlines kept): what the compiler reads, as far as it is known. A branch left out only because
 * an unknown condition was taken as true stays, since the compiler may build it.
 */
export function withoutDeadBranches(text: string, compiled: CompiledText): string {
  const dead = compiled.skipped.filter((b) => b.known && b.last >= b.first);
  if (!dead.length) return text;
  const lines = text.split('\n');
  for (const branch of dead) for (let line = branch.first; line <= branch.last && line < lines.length; line++) lines[line] = lines[line].replace(/[^\n]/g, ' ');
  return lines.join('\n');
}

import { codeTokens, type CodeTokens } from '../c/codeTokens';
import type { FunctionDefinition, SourceDefinitions } from '../c/sourceFacts/definitions';
import type { HunkPlacement } from './reconstruct';
import { alignTokens, type TokenAlignment, type TokenChange } from './tokenAlignment';
import type { FileDiff } from './unifiedDiff';

/**
 * What a patch changes in one file's code once comments and spacing are set aside, and which
 * functions it changes only through `__LINE__`: a line added above a `WARN_ON()` or a
 * `might_sleep()` moves the line number it embeds (in an instruction operand or the
 * `__bug_table`), so the function's object code differs while its text does not.
 */
export interface LineOnlyFunction {
  name: string;
  /** 0-based first line of the function in the old file. */
  line: number;
  /** The first `__LINE__` user that moves, with its 1-based line before and after. */
  macro: string;
  /** kpatch sees the function unchanged (false: it reports it as `changed function:` and patches it). */
  absorbed: boolean;
  from: number;
  to: number;
}

export interface CodeComparison {
  before: CodeTokens;
  after: CodeTokens;
  alignment: TokenAlignment;
  /** Both versions have the same tokens: only comments, spacing or line breaks changed. */
  sameCode: boolean;
  lineOnly: LineOnlyFunction[];
}

/**
 * The kernel's macros that expand `__LINE__` into the code or its tables, which kpatch's
 * line-number heuristic (`kpatch_line_macro_change_only`) or its per-function rebuilding of
 * the special sections absorbs: WARN*() and BUG*() (the `__bug_table` entry),
 * might_sleep()/might_fault()/cond_resched() (`__might_sleep(__FILE__, __LINE__)`), the
 * lockdep and RCU assertions (WARN_ON, `lockdep_rcu_suspicious(__FILE__, __LINE__)`), and the
 * printk family (the `.printk_index` entry, dynamic debug's descriptor).
 */
const absorbedLineMacro =
  /^(?:WARN\w*|BUG(?:_ON)?|might_(?:sleep|sleep_if|fault|resched|alloc)|cant_(?:sleep|migrate)|cond_resched\w*|lockdep_assert\w*|RCU_LOCKDEP_WARN|rcu_(?:dereference|lockdep_assert)\w*|srcu_dereference\w*|printk\w*|pr_\w+|dev_(?:emerg|alert|crit|err|warn|notice|info|dbg|printk)\w*|netdev_\w+|net_\w+_ratelimited)$/;
/** `__LINE__` itself, and macros passing it to functions the heuristic does not know (filesystem assertions). */
const includedLineMacro = /^(?:__LINE__|ASSERT|btrfs_abort_transaction|btrfs_handle_fs_error)$/;

export function compareCode(file: FileDiff, placements: readonly HunkPlacement[], beforeText: string, afterText: string, definitions: SourceDefinitions): CodeComparison {
  const before = codeTokens(beforeText);
  const after = codeTokens(afterText);
  const alignment = alignTokens(before, after, file, placements);
  const sameCode = alignment.changes.length === 0 && before.texts.length === after.texts.length;
  const usesLine = lineUsers(definitions);
  const functions = definitions.definitions.filter((d): d is FunctionDefinition => d.kind === 'function').sort((a, b) => a.lines.first - b.lines.first);
  const lineOnly: LineOnlyFunction[] = [];
  let token = 0;
  let change = 0;
  const { changes, newIndex } = alignment;
  for (const fn of functions) {
    while (token < before.texts.length && before.lines[token] < fn.lines.first) token++;
    const first = token;
    let last = first;
    while (last < before.texts.length && before.lines[last] <= fn.lines.last) last++;
    // Changes wholly before this function's tokens cannot touch it or any later one.
    while (change < changes.length && endOf(changes[change]) <= first) change++;
    let touched = false;
    for (let c = change; c < changes.length && changes[c].oldFrom < last && !touched; c++) touched = touches(changes[c], first, last);
    if (touched || first === last) continue;
    const moved = movedLineUser(before, after, newIndex, first, last, usesLine);
    if (moved) lineOnly.push({ name: fn.name, line: fn.lines.first, ...moved });
  }
  return { before, after, alignment, sameCode, lineOnly };
}

/** An insertion touches a function only strictly inside it: before its first token it is the code above. */
const endOf = (c: TokenChange): number => (c.oldTo > c.oldFrom ? c.oldTo : c.oldFrom + 1);
const touches = (c: TokenChange, first: number, last: number): boolean => (c.oldTo > c.oldFrom ? c.oldFrom < last && c.oldTo > first : c.oldFrom > first && c.oldFrom < last);

const invocationTokens = 4096;

type LineUse = 'absorbed' | 'included' | undefined;

/** How a name uses `__LINE__`: the kernel's macros, and the file's own macros by what they expand. */
function lineUsers(definitions: SourceDefinitions): (name: string) => LineUse {
  const known = (name: string): LineUse => (includedLineMacro.test(name) ? 'included' : absorbedLineMacro.test(name) ? 'absorbed' : undefined);
  const own = new Map<string, LineUse>();
  for (const d of definitions.definitions) {
    if (d.kind !== 'macro') continue;
    const uses = (d.definition.match(/\b\w+\b/g) ?? []).map(known);
    const use = uses.includes('included') ? 'included' : uses.includes('absorbed') ? 'absorbed' : undefined;
    if (use) own.set(d.name, use);
  }
  // Asked once per token of every function: each distinct word is matched once.
  const seen = new Map<string, LineUse>(own);
  return (name) => {
    if (seen.has(name)) return seen.get(name);
    const use = known(name);
    seen.set(name, use);
    return use;
  };
}

/** A `__LINE__` user of tokens [first, last) that starts or ends on another line after the patch. */
function movedLineUser(
  before: CodeTokens,
  after: CodeTokens,
  newIndex: Int32Array,
  first: number,
  last: number,
  usesLine: (name: string) => LineUse,
): { macro: string; absorbed: boolean; from: number; to: number } | undefined {
  let found: { macro: string; absorbed: boolean; from: number; to: number } | undefined;
  for (let k = first; k < last; k++) {
    const use = usesLine(before.texts[k]);
    // A macro is a use where it is invoked; a variable named pr_something is not.
    if (!use || (before.texts[k] !== '__LINE__' && before.texts[k + 1] !== '(')) continue;
    // __LINE__ in a macro is the line of the invocation's end: its closing parenthesis.
    let end = k;
    if (before.texts[k + 1] === '(') {
      let depth = 0;
      // Bounded, so that macros nested in macros cannot make this quadratic.
      const stop = Math.min(last, k + invocationTokens);
      for (end = k + 1; end < stop; end++) {
        if (before.texts[end] === '(') depth++;
        else if (before.texts[end] === ')' && --depth === 0) break;
      }
      if (end === stop) end = k;
    }
    for (const at of [k, end]) {
      const moved = newIndex[at];
      if (moved < 0 || after.lines[moved] === before.lines[at]) continue;
      // One use kpatch cannot absorb decides for the whole function.
      if (use === 'included') return { macro: before.texts[k], absorbed: false, from: before.lines[at] + 1, to: after.lines[moved] + 1 };
      found ??= { macro: before.texts[k], absorbed: true, from: before.lines[at] + 1, to: after.lines[moved] + 1 };
    }
  }
  return found;
}

/**
 * Without the source root: whether every hunk's old and new lines have the same tokens. A hunk
 * that starts inside a block comment reads as code, which can only make this say "changed".
 */
export function hunksChangeNoCode(file: FileDiff): boolean {
  return file.hunks.every((hunk) => {
    const side = (kind: 'removed' | 'added'): string =>
      hunk.lines
        .filter((l) => l.kind !== kind)
        .map((l) => l.text)
        .join('\n');
    // The shorter side first: the longer is read only as far as it could still be equal (800,000 added lines: 5 million tokens not made).
    const [shorter, longer] = [side('added'), side('removed')].sort((a, b) => a.length - b.length);
    const first = codeTokens(shorter).texts;
    const second = codeTokens(longer, first.length).texts;
    return first.length === second.length && first.every((t, i) => t === second[i]);
  });
}

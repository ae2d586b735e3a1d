import { overwritten } from '../blankedText';
/**
 * Kernel macros whose uses are not C that tree-sitter can read, rewritten (same length, every
 * newline where it was) into C that means the same to the analysis. Without this most of the
 * kernel does not parse: of the 343 `.c` files of linux-source-6.1's kernel/, mm/ and fs/ top
 * folders only 98 parsed without an error, and a function after the first `SYSCALL_DEFINE` or
 * `list_for_each_entry` was misread or lost.
 *
 * - `SYSCALL_DEFINEn(name, type, arg, ...)` and `COMPAT_SYSCALL_DEFINEn`: the body becomes the
 *   function the kernel's x86-64 syscall wrappers put it in, `__do_sys_name` /
 *   `__do_compat_sys_name`, the symbol the target has (and the one klp and kpatch must patch).
 * - Iterators (`list_for_each_entry(pos, head, member) { ... }`, `for_each_cpu(cpu, mask)`,
 *   `vma_interval_tree_foreach(...)`, `do_each_pid_thread(...)`): a macro call heading a statement is read as `while (...)`.
 * - Type arguments (`container_of(p, struct foo, member)`, `min_t(unsigned long, a, b)`): a type
 *   given to one of these macros becomes the expression `0` (`offsetof` tree-sitter reads itself);
 *   `typeof_member(struct foo, f) name;` declares `name` with the macro's name as its type.
 * - Definitions by macro (`static DEFINE_MUTEX(lock);`, `DEFINE_PER_CPU(int, counter);`,
 *   `static DEFINE_RATELIMIT_STATE(rs, HZ, 10);`): read as a declaration of the variable they
 *   define, whose type is the macro's name, so static locals and globals made this way are seen.
 */
export const mayNeedReshaping = (text: string): boolean =>
  /SYSCALL_DEFINE|for_?each|FOREACH|do_each_|DEFINE_|DECLARE_|LIST_HEAD|container_of|_entry|min_t|max_t|clamp_t|sizeof_field|offsetof|typeof_member|va_arg/.test(text);

export function reshapeKernelMacros(text: string, closing: Map<number, number>): string {
  const edits: Array<[number, string]> = [];
  reshapeSyscalls(text, closing, edits);
  reshapeIterators(text, closing, edits);
  reshapeTypeArguments(text, closing, edits);
  reshapeDefinitions(text, closing, edits);
  return edits.length ? overwritten(text, edits) : text;
}

/** Blanks `[from, to)` except its newlines, so the text keeps its lines. */
const blanked = (text: string, from: number, to: number): string => text.slice(from, to).replace(/[^\n]/g, ' ');

/** The top-level commas between `open` and its closing parenthesis (nested calls and brackets skipped). */
function topLevelCommas(text: string, open: number, close: number): number[] {
  const commas: number[] = [];
  let depth = 0;
  for (let i = open + 1; i < close; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) commas.push(i);
  }
  return commas;
}

function reshapeSyscalls(text: string, closing: Map<number, number>, edits: Array<[number, string]>): void {
  for (const m of text.matchAll(/\b(COMPAT_)?SYSCALL_DEFINE[0-6]\s*\(\s*(\w+)\s*([,)])/g)) {
    const open = text.indexOf('(', m.index);
    const close = closing.get(open);
    if (close === undefined || !/^\s*\{/.test(text.slice(close + 1, close + 200))) continue;
    const nameEnd = m.index + m[0].length - (m[3] === ')' ? 1 : 0);
    const header = `long __do_${m[1] ? 'compat_' : ''}sys_${m[2]}(`;
    // The macro's header is always longer than the function's: "SYSCALL_DEFINEn(" against "long __do_sys_".
    edits.push([m.index, header + blanked(text, m.index + header.length, nameEnd)]);
    // Arguments come as type, name, type, name: the comma inside each pair becomes a space.
    if (m[3] === ',') topLevelCommas(text, nameEnd - 1, close).forEach((comma, k) => k % 2 === 0 && edits.push([comma, ' ']));
  }
}

// Statement heads only: first on their line (as kernel style writes them), or after `;`, `{`, `}`,
// `)` (an `if`'s condition) or `else`, and followed by a statement.
function reshapeIterators(text: string, closing: Map<number, number>, edits: Array<[number, string]>): void {
  for (const m of text.matchAll(/(?:^[ \t]*|[;{})]\s*|\belse\s+)(\w*(?:for_each|foreach|FOREACH)\w*|do_each_\w+)\s*\(/gm)) {
    const word = m[1];
    const at = m.index + m[0].lastIndexOf(word);
    const open = m.index + m[0].length - 1;
    const close = closing.get(open);
    if (close === undefined || word.length < 'while'.length) continue;
    if (!/^\s*(?:[{A-Za-z_(*]|\+\+|--)/.test(text.slice(close + 1, close + 80))) continue;
    edits.push([at, 'while' + ' '.repeat(word.length - 'while'.length)]);
  }
}

const typeArgumentMacros =
  /\b(?:container_of(?:_const)?|list_(?:first_|last_)?entry(?:_or_null)?|hlist_entry(?:_safe)?|rb_entry(?:_safe)?|llist_entry|min_t|max_t|clamp_t|sizeof_field|offsetofend|typeof_member|va_arg)\s*\(/g;
const typeOnly = /^\s*(?:(?:const|volatile)\s+)*(?:(?:struct|union|enum)\s+\w+|(?:(?:unsigned|signed|long|short|int|char|void|float|double|_Bool)\b\s*)+)[\s*]*$/;

function reshapeTypeArguments(text: string, closing: Map<number, number>, edits: Array<[number, string]>): void {
  for (const m of text.matchAll(typeArgumentMacros)) {
    const open = m.index + m[0].length - 1;
    const close = closing.get(open);
    if (close === undefined) continue;
    if (m[0].startsWith('typeof_member') && /^\s*[A-Za-z_]/.test(text.slice(close + 1, close + 40))) {
      edits.push([open, blanked(text, open, close + 1)]);
      continue;
    }
    const bounds = [open, ...topLevelCommas(text, open, close), close];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const from = bounds[k] + 1;
      const argument = text.slice(from, bounds[k + 1]);
      if (typeOnly.test(argument)) edits.push([from, '0' + blanked(text, from + 1, bounds[k + 1])]);
    }
  }
}

function reshapeDefinitions(text: string, closing: Map<number, number>, edits: Array<[number, string]>): void {
  for (const m of text.matchAll(/(?:^|[;{}]|\bstatic|\bextern)\s*((?:DEFINE|DECLARE)_[A-Z0-9_]+|LIST_HEAD|HLIST_HEAD)\s*\(/gm)) {
    const open = m.index + m[0].length - 1;
    const close = closing.get(open);
    if (close === undefined || !/^\s*[;=]/.test(text.slice(close + 1, close + 40))) continue;
    const commas = topLevelCommas(text, open, close);
    // DEFINE_PER_CPU(type, name) names its variable last; the others first.
    const perCpu = m[1].includes('PER_CPU');
    const from = perCpu ? (commas[commas.length - 1] ?? open) + 1 : open + 1;
    const to = perCpu ? close : (commas[0] ?? close);
    if (!/^\s*\w+\s*(?:\[[^\]]*\]\s*)?$/.test(text.slice(from, to))) continue;
    edits.push([open, blanked(text, open, from)]);
    edits.push([to, blanked(text, to, close + 1)]);
  }
}

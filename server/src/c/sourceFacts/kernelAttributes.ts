import { overwritten } from '../blankedText';
import { withoutSourceComments } from '../lineCode';
import { mayNeedReshaping, reshapeKernelMacros } from './macroShapes';

/**
 * Kernel code writes function and variable attributes as macros (`__init`, `notrace`,
 * `__sched`, `noinstr`, `__always_inline`, `__section(".x")`). Tree-sitter does not expand
 * macros and reads an unknown word between a type and a name as a syntax error that swallows
 * the function, so these words are blanked out before parsing (same length, so every position
 * stays right) and read back from the original text. Both spellings are understood: the macro
 * and the `__attribute__((...))` it expands to.
 */

const wordMacros = [
  // what the checks need to know
  '__init',
  '__exit',
  '__meminit',
  '__ref',
  '__init_or_module',
  '__sched',
  'notrace',
  'noinstr',
  '__always_inline',
  'noinline',
  '__noinline',
  '__noclone',
  '__cold',
  '__hot',
  '__inline',
  '__inline__',
  '__kprobes',
  '__irq_entry',
  '__softirq_entry',
  '__cpuidle',
  '__head',
  // what only has to be out of the parser's way
  'asmlinkage',
  '__visible',
  '__weak',
  '__used',
  '__maybe_unused',
  '__always_unused',
  '__pure',
  '__must_check',
  '__noreturn',
  '__initdata',
  '__initconst',
  '__exitdata',
  '__read_mostly',
  '__ro_after_init',
  '__cacheline_aligned',
  '__cacheline_aligned_in_smp',
  '____cacheline_aligned',
  '____cacheline_aligned_in_smp',
  '__latent_entropy',
  '__randomize_layout',
  '__no_randomize_layout',
  '__packed',
  '__user',
  '__iomem',
  '__rcu',
  '__percpu',
  '__force',
  '__nocfi',
  '__attribute_const__',
  '__flatten',
  '__no_kcsan',
  '__no_sanitize_address',
  '__lockfunc',
  '__noendbr',
  '__always_unused',
  '__nostackprotector',
  '__ksym',
  '__bpf_kfunc',
  '__init_memblock',
  '__net_init',
  '__net_exit',
  '__initdata_or_module',
  '__refdata',
  '__meminitdata',
  '__meminitconst',
  '__net_initdata',
  'noinline_for_stack',
  '__initdata_memblock',
];

const callMacros = [
  '__section',
  '__aligned',
  '__printf',
  '__scanf',
  '__acquires',
  '__releases',
  '__must_hold',
  '__alloc_size',
  '__counted_by',
  '__diagnose_as',
  '__free',
  '__cleanup',
];

const wordPattern = new RegExp(`\\b(?:${wordMacros.join('|')})\\b`, 'g');
const callPattern = new RegExp(`\\b(?:${callMacros.join('|')})\\s*\\(`, 'g');

/** The text with attribute macros replaced by as many spaces (newlines kept), for the parser only. */
export function maskKernelMacros(text: string): string {
  const words = [...text.matchAll(wordPattern)];
  const calls = [...text.matchAll(callPattern)];
  const reshape = mayNeedReshaping(text);
  // Most of a generated or pathological file has none: no array of every character, no table of every parenthesis.
  if (!words.length && !calls.length && !reshape) return text;
  const closing = matchingParens(text);
  const masked = words.length || calls.length ? blankMacros(text, words, calls, closing) : text;
  return reshape ? reshapeKernelMacros(masked, closing) : masked;
}

function blankMacros(text: string, words: RegExpExecArray[], calls: RegExpExecArray[], closing: Map<number, number>): string {
  const edits: Array<[number, string]> = [];
  const blank = (from: number, to: number): void => void edits.push([from, ' '.repeat(to - from)]);
  // Inside `__attribute__((...))` the same words are attribute names the parser reads fine.
  const inAttribute = insideAny([...text.matchAll(/\b__attribute__\s*\(/g)].map((m) => [m.index, closing.get(m.index + m[0].length - 1) ?? -1]));
  for (const match of words) if (!inAttribute(match.index)) blank(match.index, match.index + match[0].length);
  for (const match of calls) {
    if (inAttribute(match.index)) continue;
    const close = closing.get(match.index + match[0].length - 1) ?? -1;
    if (close > 0) blank(match.index, close + 1);
  }
  return overwritten(text, edits);
}

/** Every `(` with the `)` that closes it, in one pass (an unclosed one is absent). */
function matchingParens(text: string): Map<number, number> {
  const closing = new Map<number, number>();
  const open: number[] = [];
  for (let i = text.indexOf('('), j = text.indexOf(')'); i >= 0 || j >= 0;) {
    if (i >= 0 && (j < 0 || i < j)) {
      open.push(i);
      i = text.indexOf('(', i + 1);
    } else {
      const from = open.pop();
      if (from !== undefined) closing.set(from, j);
      j = text.indexOf(')', j + 1);
    }
  }
  return closing;
}

/**
 * Whether a position lies strictly inside one of the spans (`[from, to]`, `to` -1 when the
 * span never closes), for positions asked in increasing order: the spans are merged once and
 * walked with the positions, not searched for each.
 */
function insideAny(spans: Array<[number, number]>): (at: number) => boolean {
  const merged: Array<[number, number]> = [];
  for (const [from, to] of spans.filter(([from, to]) => to > from + 1).sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && from < last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  let next = 0;
  let lastAt = -1;
  return (at) => {
    if (at < lastAt) next = 0;
    lastAt = at;
    while (next < merged.length && merged[next][1] <= at) next++;
    return next < merged.length && merged[next][0] < at;
  };
}

export interface FunctionAttributes {
  isStatic: boolean;
  /** `inline` in any spelling; in the kernel it implies `notrace`. */
  inline: boolean;
  alwaysInline: boolean;
  noinline: boolean;
  /** `notrace` / `no_instrument_function` written on it (inline's implied notrace is not counted here). */
  notrace: boolean;
  /** The section its code goes to: from `__init`, `__sched`, `noinstr`, ... or an explicit section attribute. */
  section: string;
  /** Which words said so, for messages ("`__init`", "`section(\".init.text\")`"). */
  sectionSpelling?: string;
  notraceSpelling?: string;
  inlineSpelling?: string;
}

const attributeHint = /static|inline|notrace|no_instrument_function|noinstr|section|__/;
const plainFunction: FunctionAttributes = { isStatic: false, inline: false, alwaysInline: false, noinline: false, notrace: false, section: '.text' };

const sectionMacros: Array<[RegExp, string]> = [
  [/\b__init\b/, '.init.text'],
  [/\b__meminit\b/, '.meminit.text'],
  [/\b__exit\b/, '.exit.text'],
  [/\b__sched\b/, '.sched.text'],
  [/\bnoinstr\b/, '.noinstr.text'],
  [/\b__cpuidle\b/, '.cpuidle.text'],
  [/\b__kprobes\b/, '.kprobes.text'],
  [/\b__irq_entry\b/, '.irqentry.text'],
  [/\b__softirq_entry\b/, '.softirqentry.text'],
  [/\b__head\b/, '.head.text'],
];

/** Reads the attributes from a function's header: everything before its body, as written. */
export function functionAttributes(header: string): FunctionAttributes {
  // Every word looked for holds one of these (the section macros start with `__`), and a comment becomes a blank, joining no words: most headers need no scan.
  if (!attributeHint.test(header)) return { ...plainFunction };
  const code = withoutSourceComments(header, /[\n\r\u2028\u2029]/g);
  const explicitSection = /\b(?:__section\s*\(|section\s*\(\s*)"([^"]+)"/.exec(code);
  const macroSection = sectionMacros.find(([pattern]) => pattern.test(code));
  const notrace = /\bnotrace\b|\bno_instrument_function\b|\bnoinstr\b/.exec(code);
  const inline = /\b__always_inline\b|\balways_inline\b|\b(?:__)?inline(?:__)?\b/.exec(code);
  return {
    isStatic: /\bstatic\b/.test(code),
    inline: inline !== null,
    alwaysInline: /\b__always_inline\b|\balways_inline\b/.test(code),
    noinline: /\bnoinline\b|\b__noinline__\b/.test(code),
    notrace: notrace !== null,
    section: explicitSection?.[1] ?? macroSection?.[1] ?? '.text',
    ...(explicitSection ? { sectionSpelling: `section("${explicitSection[1]}")` } : macroSection ? { sectionSpelling: macroSection[0].source.slice(2, -2) } : {}),
    ...(notrace ? { notraceSpelling: notrace[0] } : {}),
    ...(inline ? { inlineSpelling: inline[0] } : {}),
  };
}

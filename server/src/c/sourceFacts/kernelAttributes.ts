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
  '__init', '__exit', '__meminit', '__ref', '__init_or_module', '__sched', 'notrace', 'noinstr', '__always_inline',
  'noinline', '__noinline', '__noclone', '__cold', '__hot', '__inline', '__inline__', '__kprobes', '__irq_entry',
  '__softirq_entry', '__cpuidle', '__head',
  // what only has to be out of the parser's way
  'asmlinkage', '__visible', '__weak', '__used', '__maybe_unused', '__always_unused', '__pure', '__must_check',
  '__noreturn', '__initdata', '__initconst', '__exitdata', '__read_mostly', '__ro_after_init', '__cacheline_aligned',
  '__cacheline_aligned_in_smp', '____cacheline_aligned', '____cacheline_aligned_in_smp', '__latent_entropy',
  '__randomize_layout', '__no_randomize_layout', '__packed', '__user', '__iomem', '__rcu', '__percpu', '__force',
  '__nocfi', '__attribute_const__', '__flatten', '__no_kcsan', '__no_sanitize_address', '__lockfunc', '__noendbr',
  '__always_unused', '__nostackprotector', '__ksym', '__bpf_kfunc', '__init_memblock',
];

const callMacros = ['__section', '__aligned', '__printf', '__scanf', '__acquires', '__releases', '__must_hold', '__alloc_size', '__counted_by', '__diagnose_as'];

const wordPattern = new RegExp(`\\b(?:${wordMacros.join('|')})\\b`, 'g');
const callPattern = new RegExp(`\\b(?:${callMacros.join('|')})\\s*\\(`, 'g');

/** The text with attribute macros replaced by as many spaces (newlines kept), for the parser only. */
export function maskKernelMacros(text: string): string {
  const chars = text.split('');
  const blank = (from: number, to: number): void => {
    for (let i = from; i < to; i++) if (chars[i] !== '\n') chars[i] = ' ';
  };
  // Inside `__attribute__((...))` the same words are attribute names the parser reads fine.
  const attributeSpans = [...text.matchAll(/\b__attribute__\s*\(/g)].map((m) => [m.index, matchingParen(text, m.index + m[0].length - 1)]);
  const inAttribute = (at: number): boolean => attributeSpans.some(([from, to]) => at > from && at < to);
  for (const match of text.matchAll(wordPattern)) if (!inAttribute(match.index)) blank(match.index, match.index + match[0].length);
  for (const match of text.matchAll(callPattern)) {
    if (inAttribute(match.index)) continue;
    const close = matchingParen(text, match.index + match[0].length - 1);
    if (close > 0) blank(match.index, close + 1);
  }
  return chars.join('');
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
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
  const code = header.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ' ');
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

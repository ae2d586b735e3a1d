import { Recipe } from './recipe';

/**
 * Every failure the fuzzer found, as the recipe that reproduces it (a seed sample and the
 * mutations), replayed by regressions.test.ts: each must now run through its steps with no
 * failure. `found` is the signature the campaign reported. Offsets are those of the samples
 * `npm run samples` builds; the test checks that each mutation still hits the field it names.
 */
export interface Regression {
  found: string;
  recipe: Recipe;
}

export const regressions: Regression[] = [
  {
    found: 'elf: RangeError escaped from openPayload at RelocatedSections.pointer (payload/relocatedSections.js)',
    recipe: {
      kind: 'elf',
      sample: 'samples/build/payloads/klp/livepatch-sample.ko',
      ops: [{ op: 'write', at: 7008, hex: '0000000000000080', what: '.rela.text.livepatch_init[1].r_addend' }],
    },
  },
  {
    found: 'xen: GuestFault escaped from emu upload at readGuestFunc (emulator/xen/guestLayout.js)',
    recipe: {
      kind: 'xen',
      sample: 'samples/build/payloads/xen/xen_replace_world.livepatch',
      ops: [{ op: 'write', at: 1048, hex: '0000004000000000', what: '.rela.livepatch.funcs[0].r_addend' }],
    },
  },
  {
    found: 'xen: GuestFault escaped from emu apply at startsWithEndbr (emulator/xen/x86Patch.js)',
    recipe: { kind: 'xen', sample: 'samples/build/payloads/xen/xen_nop.livepatch', ops: [{ op: 'write', at: 240, hex: 'ffffffff00000000', what: '.livepatch.funcs+0x10' }] },
  },
  {
    found: 'xen: timeout in emu upload [random bytes] (a .bss of about 2^64 bytes)',
    recipe: { kind: 'xen', sample: 'samples/build/payloads/xen/xen_prepost_hooks.livepatch', ops: [{ op: 'write', at: 15299, hex: '86f885d277494f42ea45', what: 'random bytes' }] },
  },
  {
    found: 'xen: timeout in emu upload [shdr[.bss.post_revert_cnt].sh_size] (a 1 GiB .bss, every page allocated up front)',
    recipe: {
      kind: 'xen',
      sample: 'samples/build/payloads/xen/xen_prepost_hooks.livepatch',
      ops: [{ op: 'write', at: 6344, hex: '0000004000000000', what: 'shdr[35 .bss.post_revert_cnt].sh_size' }],
    },
  },
  {
    found: 'c: RangeError escaped from outline at walk (c/livepatchConstructs.js) (Maximum call stack size exceeded)',
    recipe: {
      kind: 'c',
      sample: 'samples/payloads/xen/xen_prepost_hooks.c',
      ops: [
        { op: 'copy', from: 53, count: 35, at: 51, repeat: 1148, what: 'many definitions' },
        { op: 'copy', from: 53, count: 4, at: 53, repeat: 15317, what: 'many table entries' },
      ],
    },
  },
  {
    found: 'c: timeout in analyzeSource [many table entries] (120k livepatch_func initializers)',
    recipe: {
      kind: 'c',
      sample: 'samples/payloads/xen/xen_replace_world.c',
      ops: [
        { op: 'copy', from: 14, count: 4, at: 14, repeat: 120000, what: 'many table entries' },
        { op: 'copy', from: 12, count: 4, at: 12, repeat: 3, what: 'many table entries' },
      ],
    },
  },
  {
    found: 'diff: timeout in analyzePatch --source-root [hunk header counts, many body lines] (39k added definitions)',
    recipe: {
      kind: 'diff',
      sample: 'samples/patches/task-struct-layout.patch',
      ops: [
        { op: 'set', line: 4, text: '@@ -29,6 +29,39336 @@ struct task_struct {', what: 'hunk header counts' },
        { op: 'insert', line: 12, text: '+\tx = y;', repeat: 39329, numbered: true, what: 'many body lines' },
      ],
    },
  },
  {
    found: 'diff: timeout in analyzePatch --source-root [hunk header numbers] (the hunk search walks to line 2^32)',
    recipe: {
      kind: 'diff',
      sample: 'samples/patches/task-struct-layout.patch',
      ops: [{ op: 'set', line: 4, text: '@@ -4294967296,0 +29,1 @@ struct task_struct {', what: 'hunk header numbers' }],
    },
  },
  {
    found: 'diff: timeout in analyzePatch --source-root [long added line] (a 460 KB added line)',
    recipe: { kind: 'diff', sample: 'samples/patches/update-curr-partly-inlined.patch', ops: [{ op: 'pad', line: 8, text: 'a ', repeat: 231362, what: 'long added line' }] },
  },
  {
    found: 'diff: message: analyzePatch: LP200 swallowed an internal error: could not analyse this patch: Maximum call stack size exceeded. (a 485 KB line of /*)',
    recipe: { kind: 'diff', sample: 'samples/patches/task-struct-layout.patch', ops: [{ op: 'pad', line: 21, text: '/*', repeat: 242542, what: 'long added line' }] },
  },
  {
    found: 'c: timeout in analyzeSource [line ends, many definitions] (CR line ends: the file is one 8.9 MB line)',
    recipe: {
      kind: 'c',
      sample: 'samples/target/sched.c',
      ops: [
        { op: 'eol', style: 'cr', what: 'line ends' },
        { op: 'copy', from: 6, count: 3, at: 147, repeat: 1666, what: 'many definitions' },
      ],
    },
  },
  {
    found: 'c: RuntimeError escaped from parse C at no project frame (46,870 comments in a row after `unsigned long volatile jiffies;`: tree-sitter overflows its WASM stack)',
    recipe: { kind: 'c', sample: 'samples/target/time.c', ops: [{ op: 'copy', from: 7, count: 1, at: 7, repeat: 46871, what: 'many table entries' }] },
  },
  {
    // Replayed right after the one above, in the same worker: with the WASM memory corrupt, every later parse failed (8,242 inputs).
    found: 'diff: message: analyzePatch: LP200 swallowed an internal error: could not analyse this patch: memory access out of bounds. (after the input above)',
    recipe: {
      kind: 'diff',
      sample: 'samples/patches/task-struct-layout.patch',
      ops: [{ op: 'set', line: 16, text: '@@ -17,6 +17,88 @@ __attribute__((noreturn)) void do_exit(long code)', what: 'hunk header counts' }],
    },
  },
  {
    // tree-sitter's WASM module (2 GiB at most) ran out on this broken C; past cParseBytes it is no longer parsed.
    found: 'c: memory bound in parse C [long line, many definitions] (33.5 MB: tree-sitter alone grows the memory by 1.1 GB)',
    recipe: {
      kind: 'c',
      sample: 'samples/target/smp.c',
      ops: [
        { op: 'pad', line: 6, text: '{', repeat: 96842, what: 'long line' },
        { op: 'copy', from: 5, count: 10, at: 3, repeat: 1531, what: 'many definitions' },
      ],
    },
  },
  {
    found: 'c: memory bound in parse C [deep nesting, many definitions] (33.5 MB: tree-sitter alone)',
    recipe: {
      kind: 'c',
      sample: 'samples/payloads/xen/xen_bye_world.c',
      ops: [
        { op: 'insert', line: 18, text: `int deep = ${'{'.repeat(18068)}0${'}'.repeat(18068)};`, repeat: 1, what: 'deep nesting' },
        { op: 'copy', from: 11, count: 22, at: 7, repeat: 1966, what: 'many definitions' },
      ],
    },
  },
  {
    found: "diff: timeout in analyzePatch --source-root [long added line] (150k tokens on one line: tree-sitter's error recovery, 2-4 s; under load)",
    recipe: { kind: 'diff', sample: 'samples/patches/task-struct-layout.patch', ops: [{ op: 'pad', line: 22, text: 'a ', repeat: 149109, what: 'long added line' }] },
  },
  {
    found: 'c: timeout in outline [many definitions] (760 KB of broken C; under load)',
    recipe: { kind: 'c', sample: 'samples/payloads/xen/xen_nop.c', ops: [{ op: 'copy', from: 2, count: 28, at: 0, repeat: 1254, what: 'many definitions' }] },
  },
  {
    found: 'klp: timeout in openPayload [.rela.debug_info[].r_type] (the DWARF then says a klp_func is shorter than its fields: the decoder read one entry for ever)',
    recipe: {
      kind: 'klp',
      sample: 'samples/build/payloads/klp/livepatch-sample.o',
      ops: [{ op: 'write', at: 6144, hex: '01000000', what: '.rela.debug_info[40].r_type' }],
    },
  },
  {
    found: "c: timeout in parse C [many table entries] (45k lines of ' */' after a comment: tree-sitter's error recovery is quadratic in */ that close nothing)",
    recipe: { kind: 'c', sample: 'samples/target/version.c', ops: [{ op: 'copy', from: 3, count: 1, at: 3, repeat: 45156, what: 'many table entries' }] },
  },
  {
    found:
      'diff: timeout in analyzePatch --source-root [long added line, many files] (one file patched in six diffs the same way, each with a 240 KB line of `a `: parsed six times, and every error of it listed)',
    recipe: {
      kind: 'diff',
      sample: 'samples/patches/update-curr-partly-inlined.patch',
      ops: [
        { op: 'pad', line: 9, text: 'a ', repeat: 121810, what: 'long added line' },
        { op: 'copy', from: 0, count: 14, at: 14, repeat: 5, what: 'many files' },
      ],
    },
  },
  {
    found: 'xen: message: check: LP312 says neither the structure nor the offset (no section-name table: the section has no name, its index names it now)',
    recipe: {
      kind: 'xen',
      sample: 'samples/build/payloads/xen/xen_replace_world.livepatch',
      ops: [
        { op: 'write', at: 1536, hex: 'ffffffff00000000', what: 'shdr[3 .text.xen_replace_world].sh_flags' },
        { op: 'write', at: 62, hex: '0000', what: 'ehdr.e_shstrndx' },
      ],
    },
  },
  {
    found: 'c: RangeError escaped from analyzeSource at initializerEntries (c/sourceFacts/definitions.js) (an initializer 19,429 braces deep)',
    recipe: {
      kind: 'c',
      sample: 'samples/target/proc.c',
      ops: [{ op: 'insert', line: 7, text: `int deep = ${'{'.repeat(19429)}0${'}'.repeat(19429)};`, repeat: 1, what: 'deep nesting' }],
    },
  },
  {
    found: 'c: timeout in analyzeSource [many table entries] (a declaration of 45k names: each declarator re-read all its siblings)',
    recipe: { kind: 'c', sample: 'samples/target/printk.c', ops: [{ op: 'copy', from: 24, count: 1, at: 24, repeat: 45598, what: 'many table entries' }] },
  },
];

/**
 * Rejections whose message does not say where the problem is, found by the fuzzer in code this
 * helper does not own; counted and printed by every campaign and the smoke, not failed, until
 * the wording is fixed (then delete the entry: the smoke fails if one comes back).
 */
export const knownMessageGaps: ReadonlySet<string> = new Set([
  // The emulator refuses a malformed ELF with EINVAL (the LP302 finding) but prints no
  // `livepatch: NAME: ...` console line, so `emu upload` says only "Error 22: Invalid argument".
  'xen: message: emu upload: refused without a console line naming the payload: Error N: Invalid argument',
  'xen: message: emu upload: refused without a console line naming the payload: Error N: Value too large for defined data type',
  'xen: message: emu upload: refused without a console line naming the payload: Error N: Operation not supported',
  'xen: message: emu upload: refused without a console line naming the payload: Error N: Numerical result out of range',
]);

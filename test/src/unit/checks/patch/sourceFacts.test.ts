import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createCParser } from '../../../../../server/out/c/cParser';
import { sourceFacts, SourceFactsProvider } from '../../../../../server/out/checks/facts/sourceFacts';
import { readDefinitions } from '../../../../../server/out/c/sourceFacts/definitions';
import { maskKernelMacros } from '../../../../../server/out/c/sourceFacts/kernelAttributes';
import { buildTargetIndexData, TargetIndex } from '../../../../../server/out/target';
import { fromRoot } from '../../../support/paths';

const samples = fromRoot('samples');
let index: TargetIndex;
let facts: SourceFactsProvider;
let files: string[];

before(async () => {
  execFileSync('make', ['-s', '-C', samples]);
  index = new TargetIndex(await buildTargetIndexData(path.join(samples, 'build', 'target', 'sample-target'), {}));
  const parser = await createCParser();
  files = readdirSync(path.join(samples, 'target')).filter((f) => f.endsWith('.c'));
  facts = sourceFacts(files.map((f) => readDefinitions(parser, `target/${f}`, readFileSync(path.join(samples, 'target', f), 'utf8'))));
});

test('every inlining gcc did in the sample target (DWARF) is predicted from the sources, with the holder and its call line', () => {
  let checked = 0;
  for (const callee of index.inlineOnly().concat(['update_curr', 'seq_putc', 'seq_puts'])) {
    const predicted = facts.function(callee);
    assert.ok(predicted, `${callee} is known from the sources`);
    for (const { function: holder, sites } of index.inlinedInto(callee)) {
      const guesses = predicted.inlinedInto.filter((s) => s.function === holder);
      assert.ok(guesses.length > 0, `${callee} inlined into ${holder} (DWARF) is not predicted`);
      // DWARF's call line is that of the innermost call; ours is the call in the holder: one of them must match when the call is direct.
      const direct = sites.filter((s) => s.caller === holder);
      for (const site of direct)
        assert.ok(
          guesses.some((g) => g.line === site.line),
          `${callee} in ${holder} at line ${site.line}`,
        );
      checked++;
    }
  }
  assert.ok(checked >= 10, `only ${checked} inlinings checked`);
});

test('what gcc keeps out of line, and what it does not, matches the sources for always_inline and static helpers', () => {
  for (const name of index.inlineOnly()) assert.equal(facts.function(name)?.outOfLine, false, `${name} has no out-of-line copy in the target`);
  for (const name of ['update_curr', 'cmdline_proc_show', '__schedule', 'schedule', 'proc_init']) assert.equal(facts.function(name)?.outOfLine, true, name);
});

test('sections and notrace from the spelled-out attributes agree with the target symbols', () => {
  for (const name of ['__schedule', 'schedule', 'proc_init', 'sched_init', 'start_kernel', 'sched_clock_noinstr', 'cmdline_proc_show', 'update_curr']) {
    const symbol = index.symbolsNamed(name).find((s) => s.kind === 'function');
    assert.ok(symbol, name);
    assert.equal(facts.function(name)?.section, symbol.section, `${name} section`);
  }
  for (const name of ['__schedule', 'sched_clock', 'sched_clock_noinstr', 'raw_smp_processor_id', 'cmdline_proc_show', 'update_curr']) {
    const symbol = index.symbolsNamed(name).find((s) => s.kind === 'function');
    assert.equal(facts.function(name)?.notrace, !symbol?.traceable, `${name} notrace`);
  }
});

test('struct layouts computed from the source equal the DWARF layouts', () => {
  for (const name of ['rq', 'sysinfo', 'proc_entry']) {
    const dwarf = index.struct(name);
    const source = facts.struct(name);
    assert.ok(dwarf && source, name);
    assert.equal(source.size, Number(dwarf.size), `${name} size`);
    assert.deepEqual(
      source.members.map((m) => [m.name, m.offset, m.size]),
      dwarf.members.map((m) => [m.name, Number(m.offset), Number(m.size)]),
      name,
    );
  }
});

test('kernel attribute macros are masked with their length kept, and attributes inside __attribute__ are left alone', () => {
  const text = 'static int __init noinline foo(void) __attribute__((noinline, section(".x")));\nvoid __section(".a.b") bar(void);';
  const masked = maskKernelMacros(text);
  assert.equal(masked.length, text.length);
  assert.equal(masked.split('\n').length, 2);
  assert.doesNotMatch(masked, /__init|__section| noinline foo/);
  assert.match(masked, /__attribute__\(\(noinline, section\("\.x"\)\)\)/);
});

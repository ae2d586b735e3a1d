import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzePatch } from '../../../../../server/out/checks/patch';
import type { Finding } from '../../../../../server/out/checks/finding';
import { fixture } from '../../../support/paths';
import { diffOutput, inTempDir } from '../../diff/oracle';

export const fixtureTree = fixture('patches', 'tree');
/** A kernel-style file with exports, WARN_ON/might_sleep/pr_info below its top and a raw __LINE__ user near it. */
export const kpatchTree = fixture('patches', 'kpatch-tree');

export type Edits = Record<string, (text: string) => string>;

/**
 * A patch made the way authors make them: the fixture tree is copied, edited, and `diff -ru`
 * writes the patch; `patch --dry-run` proves it applies to the tree it will be checked against.
 */
export function makePatch(edits: Edits, tree = fixtureTree): string {
  return inTempDir((dir) => {
    cpSync(tree, path.join(dir, 'a'), { recursive: true });
    cpSync(tree, path.join(dir, 'b'), { recursive: true });
    for (const [file, edit] of Object.entries(edits)) {
      const target = path.join(dir, 'b', file);
      const before = readFileSync(target, 'utf8');
      const after = edit(before);
      if (after === before) throw new Error(`the edit of ${file} changes nothing: the fixture no longer has what the test edits`);
      writeFileSync(target, after);
    }
    // -p: the `@@` function context git writes by default, which hunk-only analysis reads.
    const text = diffOutput('diff', ['-rup', 'a', 'b'], dir);
    writeFileSync(path.join(dir, 'p.patch'), text);
    execFileSync('patch', ['-p1', '--dry-run', '--quiet', '-d', path.join(dir, 'a'), '-i', path.join(dir, 'p.patch')]);
    return text;
  });
}

/** Replace exactly one occurrence, so an edit cannot silently hit the wrong place. */
export function once(search: string, replacement: string): (text: string) => string {
  return (text) => {
    const at = text.indexOf(search);
    if (at < 0 || text.indexOf(search, at + 1) >= 0) throw new Error(`"${search}" must occur exactly once in the fixture`);
    return text.slice(0, at) + replacement + text.slice(at + search.length);
  };
}

export async function check(edits: Edits, withSourceRoot = true, tree = fixtureTree): Promise<{ findings: Finding[]; patch: string }> {
  const patch = makePatch(edits, tree);
  const findings = await analyzePatch(patch, { file: 'case.patch', ...(withSourceRoot ? { sourceRoot: tree } : {}) });
  return { findings, patch };
}

export const codes = (findings: Finding[]): string[] => [...new Set(findings.map((f) => f.code))].sort();

/** Every finding about a change sits on lines of the patch that make the change (`-`/`+`), or on a header. */
export function assertOnChangedLines(findings: Finding[], patch: string): void {
  const lines = patch.split('\n');
  for (const finding of findings) {
    const first = lines[finding.range.start.line] ?? '';
    if (!/^[-+]/.test(first) && !first.startsWith('diff ') && !first.startsWith('@@')) {
      throw new Error(`${finding.code} lands on "${first}", not on a changed line`);
    }
  }
}

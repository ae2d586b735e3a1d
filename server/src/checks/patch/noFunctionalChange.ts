import type { FileChange } from '../../diff/changes';
import { hunksChangeNoCode, type LineOnlyFunction } from '../../diff/lineOnlyChanges';
import type { FileDiff } from '../../diff/unifiedDiff';
import type { Finding } from '../finding';
import { patchChecks } from './catalogue';
import type { ComparedFile } from './comparedFiles';
import { fileHeaderRange, finding, lineRange, PatchContext, sourceLocation } from './context';

/** Files no object is built from: a change there alone leaves kpatch-build nothing to compare. */
const notBuilt = /^Documentation\/|\.(?:rst|txt|md)$|(?:^|\/)(?:MAINTAINERS|CREDITS|README)$/;

const shownFunctions = 8;
/** A blank line at the top of a kernel-sized file moves hundreds: the editor gets the first ones. */
const relatedFunctions = 50;
const dataFunctions = 200;

/**
 * LP240 and LP241: what kpatch-build will find when it compares the objects built before and
 * after the patch. Comments, spacing and line breaks leave the code as it was; lines added or
 * removed move the `__LINE__` of the WARN()/might_sleep() calls below them, a difference kpatch
 * sets aside. A patch with nothing else makes kpatch-build stop without a module.
 */
export function noFunctionalChange(compared: readonly ComparedFile[], context: PatchContext): Finding[] {
  const findings: Finding[] = [];
  // A patch to documentation alone is kpatch-build's `no changed objects found`, another matter.
  let sameCode = compared.some(({ file }) => file.language === 'c');
  for (const { file, diff, code } of compared) {
    if (file.language !== 'c' || !diff?.hunks.length) {
      sameCode &&= file.language === 'other' && notBuilt.test(file.path);
      continue;
    }
    if (!code) {
      sameCode &&= hunksChangeNoCode(diff);
      continue;
    }
    sameCode &&= code.sameCode && code.lineOnly.every((f) => f.absorbed);
    if (code.lineOnly.length) findings.push(lineOnlyFinding(file, diff, code.lineOnly, context));
  }
  if (sameCode)
    findings.unshift(
      noChangeFinding(
        compared.map((c) => c.file),
        context,
      ),
    );
  return findings;
}

function noChangeFinding(files: readonly FileChange[], context: PatchContext): Finding {
  const paths = files.map((f) => f.path).join(', ');
  const hunksOnly = files.some((f) => f.language === 'c' && !f.rebuilt)
    ? ' (read from the hunks alone: with the source root, the functions whose line numbers move are named too)'
    : '';
  const leftOut = files.some((f) => f.problems.some((p) => p.code === 'not-compiled')) ? ', or code in branches the preprocessor leaves out (LP250)' : '';
  return finding(
    patchChecks.noChange,
    context,
    fileHeaderRange(files[0], context),
    `this patch changes no function's code: in ${paths} only comments, blank lines, spacing or line breaks change${leftOut}${hunksOnly}. The objects built before and after differ at most in the line numbers that WARN()/BUG()/might_sleep()/pr_*() embed, which kpatch sets aside (kpatch_line_macro_change_only, and the __bug_table/.printk_index entries it rebuilds per function), so kpatch-build finds nothing to patch and stops: \`ERROR: no functional changes found\` (create-diff-object exits 3, no module is written). Make the code change the fix needs, or drop the patch: the running kernel already behaves as the patched one would.`,
    { where: paths, data: { files: files.map((f) => f.path) } },
  );
}

function lineOnlyFinding(file: FileChange, fileDiff: FileDiff, functions: readonly LineOnlyFunction[], context: PatchContext): Finding {
  const names = functions.slice(0, shownFunctions).map((f) => `${f.name}() (${f.macro} at line ${f.from} -> ${f.to})`);
  const more = functions.length > shownFunctions ? ` and ${functions.length - shownFunctions} more` : '';
  const included = functions.filter((f) => !f.absorbed).map((f) => `${f.name}()`);
  const includedNames = included.slice(0, shownFunctions).join(', ') + (included.length > shownFunctions ? ` and ${included.length - shownFunctions} more` : '');
  const verdict = included.length
    ? `kpatch sets a line-number-only difference aside only where the line number goes to WARN, might_sleep, printk or lockdep_rcu_suspicious; ${includedNames} pass${included.length === 1 ? 'es' : ''} it elsewhere (__LINE__ itself, a filesystem ASSERT), so kpatch reports ${included.length === 1 ? 'it' : 'them'} as \`changed function:\` and patches ${included.length === 1 ? 'it' : 'them'} for nothing`
    : `kpatch sees ${functions.length === 1 ? 'it' : 'them'} unchanged (kpatch_line_macro_change_only; the __bug_table and .printk_index entries are rebuilt per function) and does not patch ${functions.length === 1 ? 'it' : 'them'}, which is right`;
  return finding(
    patchChecks.lineOnly,
    context,
    lineRange(hunkAbove(fileDiff, file, functions[0].line), context),
    `${names.join(', ')}${more}: only line numbers change in ${functions.length === 1 ? 'this function' : 'these functions'}, because lines are added or removed above ${functions.length === 1 ? 'it' : 'them'}; the code is otherwise the same. ${verdict}. To keep the line numbers, add new code at the end of the file or keep the line count of each hunk (klp-build's adjust-patch-lines does it with #line).`,
    {
      where: file.path,
      related: functions
        .slice(0, relatedFunctions)
        .map((f) => ({ ...sourceLocation(file.path, f.line + 1, context), message: `${f.name}(): ${f.macro} moves from line ${f.from} to ${f.to}` })),
      data: { count: functions.length, functions: functions.slice(0, dataFunctions).map((f) => ({ name: f.name, macro: f.macro, from: f.from, to: f.to, absorbed: f.absorbed })) },
    },
  );
}

/** The `@@` line of the last hunk that lands above the (0-based) old line: the lines that move it. */
function hunkAbove(fileDiff: FileDiff, file: FileChange, line: number): number {
  const placements = file.rebuilt?.placements ?? [];
  let above = fileDiff.hunks[0]?.patchLine ?? file.patchLine;
  for (const [index, hunk] of fileDiff.hunks.entries()) if ((placements[index]?.oldStart ?? hunk.oldStart) - 1 <= line) above = hunk.patchLine;
  return above;
}

// The hygiene stage of `npm test`: eslint (eslint.config.mjs) and prettier (.prettierrc,
// .prettierignore) over the whole tree, the same checks as `npm run lint` and
// `npm run format:check`. Each tool's verdict on each file counts once, clean or not, in the last
// line `lint: N passed, N failed` that scripts/test.sh sums; the exit status is 1 on any problem.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

async function eslintVerdicts() {
  const eslint = new ESLint();
  const results = await eslint.lintFiles(['.']);
  const report = await (await eslint.loadFormatter('stylish')).format(results);
  if (report) console.log(report.trimEnd());
  const failed = results.filter((r) => r.errorCount + r.warningCount > 0).length;
  return { tool: 'eslint', passed: results.length - failed, failed };
}

/** The files prettier --check . would read: what git tracks or would track, less .prettierignore and files prettier has no parser for. */
async function prettierVerdicts() {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
  let passed = 0;
  const unformatted = [];
  for (const file of files) {
    const info = await prettier.getFileInfo(file, { ignorePath: '.prettierignore' });
    if (info.ignored || !info.inferredParser) continue;
    let source;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      continue; // deleted in the work tree but still in the index
    }
    const options = { ...(await prettier.resolveConfig(file)), filepath: file };
    if (await prettier.check(source, options)) passed++;
    else unformatted.push(file);
  }
  if (unformatted.length) console.log(`prettier: not formatted (npm run format):\n${unformatted.map((f) => `  ${f}`).join('\n')}`);
  return { tool: 'prettier', passed, failed: unformatted.length };
}

const verdicts = [await eslintVerdicts(), await prettierVerdicts()];
for (const v of verdicts) console.log(`${v.tool} files: ${v.passed} clean, ${v.failed} with problems`);
const passed = verdicts.reduce((n, v) => n + v.passed, 0);
const failed = verdicts.reduce((n, v) => n + v.failed, 0);
console.log(`lint: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;

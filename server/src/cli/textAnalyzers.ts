import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { cParseBound, documentBounds } from '../checks/documentBounds';
import { targetFacts } from '../checks/facts/targetFacts';
import { analyzePatch } from '../checks/patch';
import { analyzeSource } from '../checks/source/analyzeSource';
import { sharedCParser } from '../c/cParser';
import { kernelConfigOrNone, kernelConfigPath } from '../c/kernelConfig';
import { parseableText } from '../c/parseableText';
import type { AnalysisEnv, Analyzer } from './analyzer';

/** The configuration given, or one found next to the target or in the source root. */
function configPath(env: AnalysisEnv): string | undefined {
  return kernelConfigPath({ configured: env.kernelConfig, target: env.target?.path, sourceRoot: env.sourceRoot });
}

/** C sources: patch modules and payload sources get the LP1xx checks. */
export const sourceAnalyzer: Analyzer = {
  kind: 'source',
  accepts: (file) => /\.[ch]$/.test(file),
  async analyze(file, env) {
    const text = await readFile(file, 'utf8');
    // Refused before parsing: the parse of an oversized source is itself what the bound prevents.
    const outOfBounds = documentBounds(file, text) ?? cParseBound(file, text);
    if (outOfBounds) return [outOfBounds];
    const tree = (await sharedCParser()).parse(parseableText(text, kernelConfigOrNone(configPath(env))).text);
    if (!tree) return [];
    try {
      return analyzeSource(tree, { file, ...(env.target ? { facts: targetFacts(env.target), targetName: path.basename(env.target.path) } : {}) });
    } finally {
      tree.delete();
    }
  },
};

/** Unified diffs get the LP2xx checks, against --source-root when given. */
export const patchAnalyzer: Analyzer = {
  kind: 'patch',
  accepts: (file) => /\.(patch|diff)$/.test(file),
  async analyze(file, env) {
    const kernelConfig = configPath(env);
    return analyzePatch(await readFile(file, 'utf8'), {
      file,
      ...(env.sourceRoot ? { sourceRoot: env.sourceRoot } : {}),
      ...(kernelConfig ? { kernelConfig } : {}),
      ...(env.target ? { facts: targetFacts(env.target) } : {}),
    });
  },
};

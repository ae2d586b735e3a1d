import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { cParseBound, documentBounds } from '../checks/documentBounds';
import { targetFacts } from '../checks/facts/targetFacts';
import { analyzePatch } from '../checks/patch';
import { analyzeSource } from '../checks/source/analyzeSource';
import { sharedCParser } from '../c/cParser';
import { parseableText } from '../c/parseableText';
import type { Analyzer } from './check';

/** C sources: patch modules and payload sources get the LP1xx checks. */
export const sourceAnalyzer: Analyzer = {
  kind: 'source',
  accepts: (file) => /\.[ch]$/.test(file),
  async analyze(file, env) {
    const text = await readFile(file, 'utf8');
    // Refused before parsing: the parse of an oversized source is itself what the bound prevents.
    const outOfBounds = documentBounds(file, text) ?? cParseBound(file, text);
    if (outOfBounds) return [outOfBounds];
    const tree = (await sharedCParser()).parse(parseableText(text).text);
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
    return analyzePatch(await readFile(file, 'utf8'), {
      file,
      ...(env.sourceRoot ? { sourceRoot: env.sourceRoot } : {}),
      ...(env.target ? { facts: targetFacts(env.target) } : {}),
    });
  },
};

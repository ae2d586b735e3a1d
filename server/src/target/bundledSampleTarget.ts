import { existsSync } from 'node:fs';
import * as path from 'node:path';

const relative = path.join('samples', 'build', 'target', 'sample-target');

/**
 * The sample target shipped with the extension (above dist/) or built in a checkout (above
 * server/out/...); undefined when it has not been built (`npm run samples`).
 */
export function bundledSampleTarget(from = __dirname): string | undefined {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export const bundledSampleTargetHint = `the bundled sample target (${relative}) is not built: run \`npm run samples\``;

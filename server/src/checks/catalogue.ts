import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Severity } from './finding';

/**
 * A check's identity: a stable id users can search for, and a page in docs/checks/<id>.md.
 * `LP1xx` sources, `LP2xx` patch files, `LP3xx` payload ELFs, `LP4xx` target facts.
 */
export interface CheckInfo {
  id: string;
  title: string;
  severity: Severity;
}

/**
 * Each family lists its checks in its own module and registers them here once, at import. The
 * drift test (test/src/unit/checks/catalogue.test.ts) proves every id has its page and every page its id.
 */
const checks = new Map<string, CheckInfo>();

export function registerChecks(family: readonly CheckInfo[]): void {
  for (const check of family) {
    if (checks.has(check.id)) throw new Error(`check id ${check.id} is registered twice`);
    checks.set(check.id, check);
  }
}

export function allChecks(): CheckInfo[] {
  return [...checks.values()].sort((a, b) => a.id.localeCompare(b.id));
}

let docsDir: string | null | undefined;

/**
 * The docs pages ship beside the code: `docs/checks` at the extension's root (above dist/) or at
 * the checkout's root (above server/out/checks/).
 */
export function docsUrl(id: string): string | undefined {
  if (docsDir === undefined) {
    docsDir = null;
    for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'docs', 'checks'))) {
        docsDir = path.join(dir, 'docs', 'checks');
        break;
      }
    }
  }
  return docsDir ? pathToFileURL(path.join(docsDir, `${id}.md`)).href : undefined;
}

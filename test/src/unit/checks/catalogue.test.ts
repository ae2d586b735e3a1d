import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allChecks, docsUrl } from '../../../../server/out/checks/index';
import { fromRoot } from '../../support/paths';

test('every registered check has a docs page that names it, and every page belongs to a check', () => {
  const ids = allChecks().map((c) => c.id);
  for (const id of ids) {
    assert.match(id, /^LP[1-4]\d\d$/, `${id} follows the LPnxx scheme`);
    const url = docsUrl(id);
    assert.ok(url, 'the docs folder is found from the running code');
    const page = fileURLToPath(url);
    assert.ok(existsSync(page), `${page} exists`);
    assert.match(readFileSync(page, 'utf8'), new RegExp(`^# ${id}\\b`), `${id}.md starts with its id`);
  }
  const pages = readdirSync(fromRoot('docs', 'checks'))
    .filter((f) => /^LP\d+\.md$/.test(f))
    .map((f) => f.slice(0, -3));
  assert.deepEqual(
    pages.filter((p) => !ids.includes(p)),
    [],
    'no page without a registered check',
  );
});

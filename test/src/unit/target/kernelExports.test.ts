import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTargetIndex } from '../../../../server/out/target';
import { exportingTarget } from '../payload/moduleLoaderFixtures';
import { run } from '../samples/binutils';

/** readelf: the `__ksymtab_<name>` labels and the section each sits in: EXPORT_SYMBOL's record of an export. */
function ksymtabLabels(file: string): Map<string, string> {
  const sections = new Map([...run('readelf', ['-SW', file]).matchAll(/\[\s*(\d+)\]\s+(\S+)/g)].map((m) => [m[1], m[2]]));
  const labels = new Map<string, string>();
  for (const f of run('readelf', ['-sW', file])
    .split('\n')
    .map((l) => l.trim().split(/\s+/)))
    if (f[7]?.startsWith('__ksymtab_')) labels.set(f[7].slice('__ksymtab_'.length), sections.get(f[6]) ?? f[6]);
  return labels;
}

test('the index knows what the image exports (EXPORT_SYMBOL, EXPORT_SYMBOL_GPL), also after a round trip through the cache', async () => {
  const image = exportingTarget();
  const labels = ksymtabLabels(image);
  assert.equal(labels.size, 3, 'the fixture exports three symbols');
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'lpl-exports-'));
  const built = await loadTargetIndex(image, { cacheDir });
  const cached = await loadTargetIndex(image, { cacheDir });
  assert.equal(cached.fromCache, true);
  for (const index of [built, cached]) {
    assert.equal(index.hasExports, true);
    for (const [name, section] of labels) assert.deepEqual(index.exported(name), { gpl: section === '__ksymtab_gpl' }, name);
    for (const name of ['unexported_func', 'static_func', 'no_such_symbol']) assert.equal(index.exported(name), undefined, name);
  }
});

test('an image without __ksymtab exports nothing (Xen, the sample target)', async () => {
  const image = path.join(path.dirname(exportingTarget()), 'no-exports');
  run('objcopy', ['--remove-section', '__ksymtab', '--remove-section', '__ksymtab_gpl', exportingTarget(), image]);
  assert.equal(ksymtabLabels(image).size, 0);
  const index = await loadTargetIndex(image, { cacheDir: null });
  assert.equal(index.hasExports, false);
  assert.equal(index.exported('exported_func'), undefined);
});

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromRoot } from '../support/paths';
import { zipEntries } from '../support/zipEntries';

// Runs after `npm run package` (scripts/test.sh), on the archive users install.
const vsix = fromRoot('livepatch-lens.vsix');

test('the .vsix holds the bundles, both grammar WASM files, media, syntaxes and the manifest', () => {
  assert.ok(existsSync(vsix), `${vsix} exists (npm run package)`);
  const entries = new Set(zipEntries(vsix));
  for (const needed of [
    'extension/package.json',
    'extension/readme.md',
    'extension/changelog.md',
    'extension/LICENSE.txt',
    'extension/dist/client.js',
    'extension/dist/server.js',
    'extension/dist/cli.js',
    'extension/dist/targetIndexWorker.js',
    'extension/dist/analysisWorker.js',
    'extension/dist/emulatorWorker.js',
    'extension/dist/payloadInspectionWorker.js',
    'extension/samples/build/target/sample-target',
    'extension/samples/build/payloads/xen/xen_hello_world.livepatch',
    'extension/samples/build/payloads/klp/livepatch-sample.ko',
    'extension/samples/demo.xlp',
    'extension/samples/scenarios/blocking-task.sh',
    'extension/docs/walkthrough/open-samples.md',
    'extension/syntaxes/livepatch-scenario.tmLanguage.json',
    'extension/docs/checks/LP101.md',
    'extension/samples/target/sched.c',
    'extension/samples/patches/pick-next-task-inlined-into-schedule.patch',
    'extension/dist/web-tree-sitter.wasm',
    'extension/dist/tree-sitter-c.wasm',
    'extension/dist/iced_x86_bg.wasm',
    'extension/media/icon.png',
    'extension/syntaxes/livepatch-c.injection.tmLanguage.json',
  ]) {
    assert.ok(entries.has(needed), `${needed} is packaged`);
  }
});

test('every image README.md shows is packaged beside it, and none is an SVG (vsce refuses those)', () => {
  const entries = new Set(zipEntries(vsix));
  const images = [...readFileSync(fromRoot('README.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  assert.ok(images.length > 0, 'README.md shows an image');
  for (const image of images) {
    assert.doesNotMatch(image, /^[a-z]+:|\.svg$/i, `${image}: a relative PNG`);
    assert.ok(entries.has(`extension/${image}`), `${image} is packaged`);
  }
});

test('the .vsix holds no sources, tests, source maps or node_modules', () => {
  const unwanted = zipEntries(vsix).filter((name) =>
    /\.ts$|\.map$|^extension\/(client|server|test|scripts|bench|node_modules)\/|^extension\/samples\/build\/(?!target\/sample-target$|payloads\/xen\/[^/]+\.livepatch$|payloads\/klp\/[^/]+\.ko$)|^extension\/\.|tsconfig|esbuild/.test(
      name,
    ),
  );
  assert.deepEqual(unwanted, []);
});

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DwarfError, ElfError, parseElf } from '../../../../server/out/elf';
import { BuildProgress, buildTargetIndexData, cacheFile, cacheFormatVersion, loadTargetIndex, sharedTargetIndex, shareTarget, TargetIndex } from '../../../../server/out/target';
import { decodeIndex, decodeIndexInSlices, encodeIndex } from '../../../../server/out/target/cacheFormat';
import { buildFixtures, Fixtures } from '../elf/support/fixtures';

let fx: Fixtures;
before(() => {
  fx = buildFixtures();
});

const tempDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'lpl-cache-'));

test('a built index is cached under its build-id and format version, and reloads equal', async () => {
  const cacheDir = tempDir();
  const progress: BuildProgress[] = [];
  const built = await loadTargetIndex(fx.image, { cacheDir, onProgress: (p) => progress.push(p) });
  assert.equal(built.fromCache, false);
  assert.deepEqual(readdirSync(cacheDir), [path.basename(cacheFile(cacheDir, built.buildId))]);
  assert.match(readdirSync(cacheDir)[0], new RegExp(`^${built.buildId}\\.v${cacheFormatVersion}\\.bin$`));
  for (const phase of ['symbols', 'dwarf', 'cache'])
    assert.ok(
      progress.some((p) => p.phase === phase),
      `progress reports ${phase}`,
    );
  const dwarf = progress.filter((p) => p.phase === 'dwarf');
  assert.deepEqual(dwarf.at(-1) && [dwarf.at(-1)!.done, dwarf.at(-1)!.total], [4, 4], 'one step per compile unit');

  const reloaded = await loadTargetIndex(fx.image, { cacheDir });
  assert.equal(reloaded.fromCache, true);
  assert.deepEqual(reloaded.data, built.data);
});

test('the worker build and the in-thread build give the same index', async () => {
  const inWorker = await loadTargetIndex(fx.imageDwarf4, { cacheDir: null });
  const inThread = new TargetIndex(await buildTargetIndexData(fx.imageDwarf4));
  assert.deepEqual(inWorker.data, inThread.data);
  assert.deepEqual(inWorker.tables, inThread.tables);
});

test('a cache of another format version, or a corrupt one, is ignored and rebuilt', async () => {
  const cacheDir = tempDir();
  const first = await loadTargetIndex(fx.image, { cacheDir });
  const file = cacheFile(cacheDir, first.buildId);
  const good = readFileSync(file);
  // The version sits after the 8-byte magic, and again in the JSON header.
  const stale = Buffer.from(good);
  stale.writeUInt32LE(cacheFormatVersion + 1, 8);
  writeFileSync(file, stale);
  assert.equal((await loadTargetIndex(fx.image, { cacheDir })).fromCache, false);
  const header = Buffer.from(good);
  const json = header.indexOf(`"version":${cacheFormatVersion}`);
  assert.ok(json > 0, 'the JSON header states the version');
  header.write(`"version":${cacheFormatVersion + 1}`, json);
  writeFileSync(file, header);
  assert.equal((await loadTargetIndex(fx.image, { cacheDir })).fromCache, false);
  writeFileSync(file, good.subarray(0, good.length - 8));
  assert.equal((await loadTargetIndex(fx.image, { cacheDir })).fromCache, false, 'a truncated file is rebuilt');
  writeFileSync(file, JSON.stringify({ format: 'livepatch-lens-target-index', version: cacheFormatVersion, buildId: first.buildId }));
  assert.equal((await loadTargetIndex(fx.image, { cacheDir })).fromCache, false, 'a JSON cache (format 1) is rebuilt');
  writeFileSync(file, good.subarray(0, 40));
  const rebuilt = await loadTargetIndex(fx.image, { cacheDir });
  assert.equal(rebuilt.fromCache, false);
  assert.deepEqual(rebuilt.data, first.data);
  assert.equal((await loadTargetIndex(fx.image, { cacheDir })).fromCache, true);
});

test('a cache written for another build-id is never served', async () => {
  const cacheDir = tempDir();
  const other = await loadTargetIndex(fx.imageDwarf4, { cacheDir });
  const mine = await loadTargetIndex(fx.image, { cacheDir: null });
  assert.notEqual(other.buildId, mine.buildId);
  writeFileSync(cacheFile(cacheDir, mine.buildId), readFileSync(cacheFile(cacheDir, other.buildId)));
  const loaded = await loadTargetIndex(fx.image, { cacheDir });
  assert.equal(loaded.fromCache, false);
  assert.equal(loaded.buildId, mine.buildId);
});

test("aborting a build rejects with the signal's reason", async () => {
  const controller = new AbortController();
  const pending = loadTargetIndex(fx.image, { cacheDir: null, signal: controller.signal });
  controller.abort(new Error('target changed'));
  await assert.rejects(pending, /target changed/);
});

test('bad DWARF in the worker reaches the caller as a typed DwarfError', async () => {
  const bytes = readFileSync(fx.image);
  const abbrev = parseElf(bytes, 'x').section('.debug_abbrev')!;
  bytes.fill(0x81, Number(abbrev.offset), Number(abbrev.offset + abbrev.size));
  const broken = path.join(tempDir(), 'broken-abbrev');
  writeFileSync(broken, bytes);
  await assert.rejects(loadTargetIndex(broken, { cacheDir: null }), (error: unknown) => {
    assert.ok(error instanceof DwarfError, String(error));
    assert.equal(error.file, broken);
    return true;
  });
  const truncated = path.join(tempDir(), 'truncated');
  writeFileSync(truncated, bytes.subarray(0, 200));
  await assert.rejects(loadTargetIndex(truncated, { cacheDir: null }), ElfError);
});

test('a string table of several slices decodes as one split would, in slices and at once; another thread opens the same index over the same memory', async () => {
  const built = await loadTargetIndex(fx.image, { cacheDir: null });
  // Unreferenced strings past 3 MB, some multi-byte, so slices end inside runs of them.
  const extra = Array.from({ length: 60_000 }, (_, i) => `${i % 7 ? 'ascii' : 'ünïcödé'}_${'x'.repeat(i % 97)}_${i}`);
  const tables = { ...built.tables, strings: [...built.tables.strings, ...extra] };
  const file = Buffer.concat(encodeIndex(tables));
  const stringBytes = Buffer.byteLength(tables.strings.join('\0'));
  assert.ok(stringBytes > 3 * 1024 * 1024, `${stringBytes} bytes of strings`);
  assert.deepEqual(decodeIndex(file, built.buildId)?.strings, tables.strings);
  assert.deepEqual((await decodeIndexInSlices(file, built.buildId))?.strings, tables.strings);

  const shared = sharedTargetIndex(shareTarget(built));
  assert.ok(shared.tables.symbols.name.buffer instanceof SharedArrayBuffer, 'the columns are views of the shared memory');
  assert.equal(shared.tables.symbols.name.buffer, built.shared);
  assert.deepEqual(shared.data, built.data);
  assert.throws(() => sharedTargetIndex({ ...shareTarget(built), buildId: 'other' }), /is not of build other/);
});

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPayload, XenPayload } from '../../../../server/out/payload';
import { buildIdHex, buildSamples, relocationsFor, samplePath, sections, symbols, targetPath, undefinedSymbols } from '../samples/binutils';
import { xenSample } from './payloadBytes';

const names = ['xen_hello_world', 'xen_bye_world', 'xen_replace_world', 'xen_nop', 'xen_prepost_hooks'];

/** The #defines of the generated config.h, which the payload sources use for sizes and addresses. */
function configDefines(): Map<string, bigint> {
  const text = readFileSync(samplePath('build', 'payloads', 'xen', 'config.h'), 'utf8');
  return new Map([...text.matchAll(/#define (\w+) (0x[0-9a-f]+)/g)].map((m) => [m[1], BigInt(m[2])]));
}

/** What a payload's C source says: the livepatch_func initializer and the hook macros. */
function fromSource(name: string) {
  const source = readFileSync(samplePath('payloads', 'xen', `${name}.c`), 'utf8');
  const defines = configDefines();
  const value = (expr: string): bigint => {
    const m = /^(?:\(void \*\))?(\w+)(?: - (\d+))?$/.exec(expr.trim());
    assert.ok(m, `cannot evaluate ${expr}`);
    const base = /^\d+$/.test(m[1]) ? BigInt(m[1]) : defines.get(m[1]);
    assert.ok(base !== undefined, `${m[1]} is not in config.h`);
    return base - BigInt(m[2] ?? 0);
  };
  const field = (f: string): string => {
    const m = new RegExp(`\\.${f} = ([^,]+),`).exec(source);
    assert.ok(m, `${name}.c sets no .${f}`);
    return m[1].trim();
  };
  const nameArray = field('name');
  const string = new RegExp(`${nameArray}\\[\\] = "([^"]+)"`).exec(source);
  assert.ok(string, `${name}.c: no string for ${nameArray}`);
  const symbolOrAddress = (expr: string) => (/^[a-z_]\w*$/.test(expr) && !defines.has(expr) ? { symbol: expr } : { address: value(expr) });
  // prettier-ignore
  return {
    oldName: string[1],
    nameSymbol: nameArray,
    newAddr: symbolOrAddress(field('new_addr')),
    oldAddr: symbolOrAddress(field('old_addr')),
    newSize: Number(value(field('new_size'))),
    oldSize: Number(value(field('old_size'))),
    hooks: [...source.matchAll(/^LIVEPATCH_(\w+)_HOOK\((\w+)\);/gm)].map((m) => ({ kind: m[1].toLowerCase(), fn: m[2] })),
  };
}

function decode(name: string): XenPayload {
  const opened = openPayload(xenSample(name));
  assert.equal(opened.error, undefined, opened.error?.message);
  assert.equal(opened.payload?.kind, 'xen');
  return opened.payload;
}

before(() => buildSamples());

test('every sample payload decodes to exactly the livepatch_func its source declares', () => {
  for (const name of names) {
    const expected = fromSource(name);
    const payload = decode(name);
    assert.equal(payload.funcs.length, 1, name);
    const [f] = payload.funcs;
    assert.equal(payload.funcsSection?.layout, 2, name);
    assert.equal(f.version, 2, name);
    assert.equal(f.name, expected.oldName, `${name}: the old function's name`);
    assert.equal(f.nameField.reloc?.symbol, expected.nameSymbol, name);
    if ('symbol' in expected.newAddr) assert.equal(f.newAddr.reloc?.symbol, expected.newAddr.symbol, `${name}: new_addr`);
    else assert.deepEqual([f.newAddr.reloc, f.newAddr.raw], [undefined, expected.newAddr.address], `${name}: new_addr`);
    if ('symbol' in expected.oldAddr) {
      assert.equal(f.oldAddr.reloc?.symbol, expected.oldAddr.symbol, `${name}: old_addr`);
      assert.equal(f.oldAddr.reloc?.section, undefined, `${name}: old_addr is resolved against the target`);
    } else assert.deepEqual([f.oldAddr.reloc, f.oldAddr.raw], [undefined, expected.oldAddr.address], `${name}: old_addr`);
    assert.equal(f.newSize, expected.newSize, `${name}: new_size`);
    assert.equal(f.oldSize, expected.oldSize, `${name}: old_size`);
    assert.deepEqual(f.nonZeroReserved, [], name);
    assert.equal(f.expect?.enabled, false, name);
    assert.deepEqual(
      payload.hooks.map((h) => ({ kind: h.kind, fn: h.functions.map((p) => p.reloc?.symbol).join() })),
      expected.hooks,
      `${name}: hooks`,
    );
  }
});

test('the build-id chain matches readelf: own id, the target (or hello world for bye world), the target as Xen', () => {
  const target = buildIdHex(targetPath);
  for (const name of names) {
    const payload = decode(name);
    assert.equal(payload.buildId?.buildId, buildIdHex(xenSample(name)), `${name}: own build-id`);
    assert.equal(payload.xenDepends?.buildId, target, `${name}: xen_depends`);
    assert.equal(payload.depends?.buildId, name === 'xen_bye_world' ? buildIdHex(xenSample('xen_hello_world')) : target, `${name}: depends`);
  }
});

test('sections, relocation counts and symbols agree with readelf and nm', () => {
  for (const name of names) {
    const payload = decode(name);
    const file = xenSample(name);
    const oracle = sections(file);
    assert.deepEqual(
      payload.sections.map((s) => s.name),
      [...oracle.keys()].filter(Boolean),
      name,
    );
    for (const s of payload.sections) {
      const o = oracle.get(s.name)!;
      assert.equal(Number(s.size), o.size, `${name} ${s.name} size`);
      assert.equal(s.index, o.index, `${name} ${s.name} index`);
      assert.equal(s.relocations, relocationsFor(file, s.name).length, `${name} ${s.name} relocations`);
    }
    assert.deepEqual([...payload.symbols.undefinedNames].sort(), undefinedSymbols(file).sort(), `${name}: undefined symbols`);
    const defined = symbols(file);
    for (const g of payload.symbols.definedGlobals) assert.equal(defined.get(g.name)?.addr, g.value, `${name}: ${g.name}`);
  }
});

test('.modinfo of hello world is its LIVEPATCH_RULEZ string, NUL-terminated', () => {
  const payload = decode('xen_hello_world');
  const source = readFileSync(samplePath('payloads', 'xen', 'xen_hello_world.c'), 'utf8');
  const text = /section\("\.modinfo"\)\)\) static const char \w+\[\] = "([^"]+)"/.exec(source)?.[1];
  assert.deepEqual(payload.modinfo?.entries, [{ key: text, value: '' }]);
  assert.equal(payload.modinfo?.terminated, true);
});

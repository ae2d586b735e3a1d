import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSamples, cString, elfHeaderField, parseNote, relocationsFor, run, samplePath, sectionBytes, sections, symbols, targetPath } from './binutils';

const FUNC_SIZE = 104;
const payloadNames = ['xen_hello_world', 'xen_bye_world', 'xen_replace_world', 'xen_nop', 'xen_prepost_hooks'];
const payload = (name: string): string => samplePath('build', 'payloads', 'xen', `${name}.livepatch`);

/** The fields of one struct livepatch_func as stored (relocated pointers read as 0). */
function funcs(name: string): { name: bigint; newAddr: bigint; oldAddr: bigint; newSize: number; oldSize: number; version: number; rest: Buffer }[] {
  const bytes = sectionBytes(payload(name), '.livepatch.funcs');
  return Array.from({ length: bytes.length / FUNC_SIZE }, (_, i) => {
    const f = bytes.subarray(i * FUNC_SIZE, (i + 1) * FUNC_SIZE);
    return {
      name: f.readBigUInt64LE(0),
      newAddr: f.readBigUInt64LE(8),
      oldAddr: f.readBigUInt64LE(16),
      newSize: f.readUInt32LE(24),
      oldSize: f.readUInt32LE(28),
      version: f[32],
      rest: f.subarray(33),
    };
  });
}

function targetSymbolSize(name: string): number {
  const size = symbols(targetPath).get(name)?.size;
  assert.ok(size, `nm -S shows no size for ${name}`);
  return size;
}

let targetNote: Buffer;

before(() => {
  buildSamples();
  targetNote = sectionBytes(targetPath, '.note.gnu.build-id');
});

test('every Xen payload is ET_REL without program headers and with its own build-id', () => {
  for (const name of payloadNames) {
    assert.match(elfHeaderField(payload(name), 'Type'), /^REL/, name);
    assert.equal(elfHeaderField(payload(name), 'Number of program headers'), '0', name);
    const own = parseNote(sectionBytes(payload(name), '.note.gnu.build-id'));
    assert.equal(own.name, 'GNU');
    assert.equal(own.type, 3, 'NT_GNU_BUILD_ID');
    assert.equal(own.desc.length, 20, name);
  }
});

test('.livepatch.funcs holds version-2 104-byte entries, allocated and read-only, hypervisor fields zero', () => {
  for (const name of payloadNames) {
    const section = sections(payload(name)).get('.livepatch.funcs');
    assert.ok(section, `${name} has no .livepatch.funcs`);
    assert.ok(section.size > 0 && section.size % FUNC_SIZE === 0, `${name}: size ${section.size}`);
    assert.match(section.flags, /A/, name);
    assert.doesNotMatch(section.flags, /W/, name);
    for (const f of funcs(name)) {
      assert.equal(f.version, 2, name);
      assert.ok(
        f.rest.every((b) => b === 0),
        `${name}: opaque/applied/expect not zero`,
      );
    }
  }
});

test('.livepatch.xen_depends is the target build-id note, and so is .livepatch.depends except when stacked', () => {
  const targetId = parseNote(targetNote);
  for (const name of payloadNames) {
    const xenDepends = parseNote(sectionBytes(payload(name), '.livepatch.xen_depends'));
    assert.deepEqual(xenDepends, targetId, name);
    if (name !== 'xen_bye_world') assert.deepEqual(parseNote(sectionBytes(payload(name), '.livepatch.depends')), targetId, name);
  }
  assert.equal(targetId.desc.toString('hex'), /Build ID: ([0-9a-f]+)/.exec(run('readelf', ['-n', targetPath]))?.[1]);
});

test('xen_bye_world depends on the build-id of xen_hello_world.livepatch', () => {
  const depends = parseNote(sectionBytes(payload('xen_bye_world'), '.livepatch.depends'));
  const hello = parseNote(sectionBytes(payload('xen_hello_world'), '.note.gnu.build-id'));
  assert.deepEqual(depends, hello);
  assert.notDeepEqual(depends.desc, parseNote(targetNote).desc);
});

test('xen_hello_world replaces xen_extra_version with xen_hello_world, sizes from nm -S', () => {
  const [f] = funcs('xen_hello_world');
  const relas = relocationsFor(payload('xen_hello_world'), '.livepatch.funcs');
  const at = (offset: number) => relas.find((r) => r.offset === offset);
  assert.equal(at(8)?.symbol, 'xen_hello_world');
  assert.equal(at(16)?.symbol, 'xen_extra_version');
  assert.ok(at(0), 'no relocation for .name');
  const strings = sectionBytes(payload('xen_hello_world'), at(0)?.symbol ?? '');
  assert.equal(cString(strings, Number(at(0)?.addend)), 'xen_extra_version');
  assert.equal(f.oldSize, targetSymbolSize('xen_extra_version'));
  assert.equal(f.newSize, symbols(payload('xen_hello_world')).get('xen_hello_world')?.size);
  assert.ok(sections(payload('xen_hello_world')).get('.livepatch.hooks.load'), 'hello world counts its load hook');
});

test('xen_nop NOPs all of xen_minor_version but its ret, at the address nm reports', () => {
  const [f] = funcs('xen_nop');
  const minor = symbols(targetPath).get('xen_minor_version');
  assert.ok(minor?.size);
  const instructions = run('objdump', ['-d', '--disassemble=xen_minor_version', targetPath])
    .split('\n')
    .map((l) => /^\s*[0-9a-f]+:\s+((?:[0-9a-f]{2} )+)\s*(\w+)/.exec(l))
    .filter((m) => m !== null);
  const last = instructions[instructions.length - 1];
  assert.equal(last?.[2], 'ret');
  const retLength = (last?.[1].trim().split(' ') ?? []).length;
  assert.equal(f.newAddr, 0n);
  assert.equal(f.newSize, minor.size - retLength);
  assert.equal(f.oldSize, minor.size);
  assert.equal(f.oldAddr, minor.addr);
  assert.deepEqual(
    relocationsFor(payload('xen_nop'), '.livepatch.funcs').map((r) => r.offset),
    [0],
    'only .name is relocated',
  );
});

test('xen_replace_world leaves old_addr 0 so the hypervisor looks its name up', () => {
  const [f] = funcs('xen_replace_world');
  const offsets = relocationsFor(payload('xen_replace_world'), '.livepatch.funcs')
    .map((r) => r.offset)
    .sort((a, b) => a - b);
  assert.deepEqual(offsets, [0, 8]);
  assert.equal(f.oldAddr, 0n);
  assert.equal(f.oldSize, targetSymbolSize('xen_extra_version'));
});

test('xen_prepost_hooks has exactly one pointer in each single-hook section', () => {
  const secs = sections(payload('xen_prepost_hooks'));
  for (const kind of ['preapply', 'postapply', 'prerevert', 'postrevert']) {
    const name = `.livepatch.hooks.${kind}`;
    assert.equal(secs.get(name)?.size, 8, name);
    const relas = relocationsFor(payload('xen_prepost_hooks'), name);
    assert.deepEqual(
      relas.map((r) => [r.offset, r.type]),
      [[0, 'R_X86_64_64']],
      name,
    );
  }
});

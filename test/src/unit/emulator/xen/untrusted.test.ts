import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseElf } from '../../../../../server/out/elf';
import { GuestMemoryError } from '../../../../../server/out/emulator/faults';
import { errno, XenLivepatch, XenSession } from '../../../../../server/out/emulator/xen';
import { configureLimits, limits } from '../../../../../server/out/limits';
import { bigBss, hookOutside, nameOutside, oldAddrMoved } from '../../payload/untrustedPayloads';
import { act, boot, callString, sourceString, uploadSample } from './support/boot';

const hello = sourceString('payloads/xen/xen_hello_world_func.c');
import { setSectionField } from '../../payload/payloadBytes';
import { run } from '../../samples/binutils';
import { sampleBytes, samplePayload, targetPath } from './support/xenPayloads';

// Payload contents are untrusted: every pointer the hypervisor follows for a payload is judged
// at upload and refused with -EINVAL and a console line, never a host exception; sections too
// large for the guest memory limit are refused, never allocated.

const MiB = 1024 * 1024;

/** The upload of `bytes` is refused with `code`, and the hypervisor then still takes a good payload and runs. */
function assertRefused(bytes: Buffer, code: 'EINVAL' | 'ENOMEM', line?: RegExp): XenLivepatch {
  const xen = boot();
  assert.equal(xen.upload('bad', bytes), -errno(code), xen.console.log);
  if (line) assert.match(xen.console.log, line);
  assert.equal(xen.get('bad').rc, -errno('ENOENT'));
  uploadSample(xen, 'xen_hello_world');
  assert.equal(act(xen, 'xen_hello_world', 'apply'), 0);
  assert.equal(callString(xen, 'xen_extra_version'), hello);
  return xen;
}

test('a name pointer outside the payload (one symbol value changed) is -EINVAL with its console line', () => {
  assertRefused(nameOutside(), 'EINVAL', /\(XEN\) livepatch: bad: Function name of entry 0 outside payload: \.rodata\.hello_world_patch_this_fnc\+0x10000\n/);
});

test('old_addr moved by its relocation off the hypervisor text is refused at upload, not a fault at apply', () => {
  const xen = boot();
  const expected = xen.machine.symbols.get('xen_extra_version')!.address + 0x1000000n;
  assertRefused(oldAddrMoved(), 'EINVAL', new RegExp(`\\(XEN\\) livepatch: bad: old_addr of entry 0 outside hypervisor text: 0x${expected.toString(16)}\\n`));
});

test('a hook pointer outside the payload is -EINVAL', () => {
  assertRefused(hookOutside(), 'EINVAL', /\(XEN\) livepatch: bad: Hook \.livepatch\.hooks\.load\[0\] outside payload text: \.text\.hi_func\+0x100000\n/);
});

/** Runs `body`, asserting it takes well under a second and grows the resident set by under 64 MiB. */
function cheaply<T>(what: string, body: () => T): T {
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  const result = body();
  const ms = performance.now() - started;
  const grown = (process.memoryUsage().rss - rss) / MiB;
  assert.ok(ms < 500, `${what} took ${ms.toFixed(0)} ms`);
  assert.ok(grown < 64, `${what} grew the resident set by ${grown.toFixed(0)} MiB`);
  return result;
}

test('a 1 GiB, 4 GiB or 2^64-1 byte .bss is refused at upload (Xen: over LIVEPATCH_MAX_SIZE, -EINVAL) at once, without allocating it', () => {
  for (const size of [1n << 30n, 1n << 32n, (1n << 64n) - 1n]) {
    const bytes = bigBss(size);
    cheaply(`upload with a ${size}-byte .bss`, () => assertRefused(bytes, 'EINVAL'));
  }
});

test("a section larger than the guest memory left is -ENOMEM with Xen's line and one naming the section and the limit", (t) => {
  t.after(() => configureLimits({}));
  const xen = boot();
  configureLimits({ guestMemoryBytes: Number(xen.machine.memory.mapped) + MiB });
  assert.equal(xen.upload('bad', bigBss(2n * BigInt(MiB))), -errno('ENOMEM'));
  const lines = xen.console.log.split('\n');
  assert.equal(lines[0], '(XEN) livepatch: bad: Could not allocate memory for payload');
  assert.match(
    lines[1],
    /section \.bss\.hello_world_loads of bad needs 2097152 bytes of guest memory, but only \d+ of the \d+-byte limit are left.*--limit guestMemoryBytes=N or the setting livepatch\.limits\.guestMemoryMiB/,
  );
  configureLimits({});
  uploadSample(xen, 'xen_hello_world');
});

test('the loader refuses a 4 GiB or 2^64-1 byte .bss naming it, and maps a 1 GiB one without allocating its pages', (t) => {
  t.after(() => configureLimits({}));
  const xen = boot();
  const memory = xen.machine.memory;
  for (const size of [1n << 32n, (1n << 64n) - 1n]) {
    const bytes = bigBss(size);
    cheaply(`loading a ${size}-byte .bss`, () =>
      assert.throws(
        () => xen.machine.loadObject(parseElf(bytes, 'big.o'), 'big'),
        (error: unknown) => error instanceof GuestMemoryError && /section \.bss\.hello_world_loads of big needs/.test(error.message),
      ),
    );
  }
  configureLimits({ guestMemoryBytes: 2048 * MiB });
  const pages = memory.residentPages;
  const image = cheaply('loading a 1 GiB .bss', () => xen.machine.loadObject(parseElf(bigBss(1n << 30n), 'big.o'), 'big'));
  const bss = image.sections.find((s) => s.name === '.bss.hello_world_loads')!;
  assert.equal(bss.size, 1n << 30n);
  assert.ok(memory.mapped >= 1n << 30n);
  assert.ok(memory.residentPages - pages < 16, `${memory.residentPages - pages} pages got bytes`);
  const last = bss.address + bss.size - 8n;
  assert.equal(memory.readU64(last), 0n);
  memory.writeU64(last, 0x1234n);
  assert.equal(memory.readU64(last), 0x1234n);
  xen.machine.unloadObject(image);
  assert.equal(memory.isMapped(last), false);
  assert.throws(() => memory.readU64(last), /unmapped/);
});

test('a hook section that is SHT_NOBITS with a 1 TiB size is refused, not a host exception', () => {
  const bytes = setSectionField(setSectionField(sampleBytes('xen_hello_world'), '.livepatch.hooks.load', 'type', 8n), '.livepatch.hooks.load', 'size', 1n << 40n);
  cheaply('a 1 TiB NOBITS hook section', () => assertRefused(bytes, 'EINVAL'));
});

test('the loader bounds the symbols and relocations it walks by limits(), naming the flag that raises them', (t) => {
  t.after(() => configureLimits({}));
  const xen = boot();
  configureLimits({ elfSymbols: 10 });
  assert.equal(xen.upload('few', sampleBytes('xen_hello_world')), -errno('EINVAL'));
  // readelf's count of the symbol table's entries, null symbol included, as the loader counts them.
  const entries = /Symbol table '\.symtab' contains (\d+) entries/.exec(run('readelf', ['-sW', samplePayload('xen_hello_world')]))![1];
  assert.ok(xen.console.log.includes(`(XEN) livepatch: few: ${entries} symbols in .symtab, more than the limit of 10 symbols per ELF file (raise it with --limit elfSymbols=N)`), xen.console.log);
  configureLimits({ elfRelocations: 5 });
  assert.throws(() => xen.machine.loadObject(parseElf(sampleBytes('xen_hello_world'), 'x.o'), 'x'), /relocations in its SHT_RELA sections, more than the limit of 5/);
});

test('old_addr overwritten after upload (as a hook could): applying is a hypervisor page fault, a panic, not a host exception', () => {
  const xen = boot();
  uploadSample(xen, 'xen_hello_world');
  const entry = xen.machine.symbols.get('livepatch_xen_hello_world')!.address;
  const wild = Buffer.alloc(8);
  wild.writeBigUInt64LE(0xffffffff00dead00n);
  xen.machine.memory.write(entry + 16n, wild, { force: true });
  assert.equal(xen.action('xen_hello_world', 'apply'), 0);
  xen.idle();
  assert.match(xen.panicked ?? '', /FATAL PAGE FAULT/);
  assert.match(xen.console.log, /\(XEN\) FATAL PAGE FAULT\n\(XEN\) #PF: read of an unmapped address 0xffffffff00dead00/);
});

test('no reservation or mapping wraps past 2^64: refused by name', () => {
  const xen = boot();
  assert.throws(() => xen.machine.reserve(1n << 63n, 'a huge payload'), /a huge payload: .* would run past the top of the 64-bit address space/);
  assert.throws(() => xen.machine.memory.map((1n << 64n) - 4096n, 8192n, 3, 'top'), /top: .* past the top/);
  // The arena is unchanged by the refusal: the next payload still loads near the target.
  uploadSample(xen, 'xen_hello_world');
});

test('guest pages: untouched mapped pages read as zeros, protect and unmap split a mapping', () => {
  const { machine } = boot();
  const memory = machine.memory;
  const base = machine.allocate(16n * 4096n, 'buffer');
  const pages = memory.residentPages;
  assert.equal(memory.readU32(base + 5n * 4096n), 0);
  memory.protect(base + 4096n, 4096n, 1);
  assert.throws(() => memory.writeU32(base + 4096n, 1), /write of a page without write permission/);
  memory.writeU32(base + 2n * 4096n, 7);
  memory.unmap(base + 3n * 4096n, 4096n);
  assert.throws(() => memory.readU32(base + 3n * 4096n), /unmapped/);
  assert.equal(memory.readU32(base + 4n * 4096n), 0);
  assert.equal(memory.readU32(base + 2n * 4096n), 7);
  assert.ok(memory.residentPages - pages <= 4);
});

test('calls run within limits(): the budget and timeout defaults are the configured limits', (t) => {
  t.after(() => configureLimits({}));
  const xen = boot();
  configureLimits({ guestInstructionBudget: 3 });
  assert.equal(limits().guestInstructionBudget, 3);
  const result = xen.machine.call('xen_extra_version');
  assert.equal(result.status, 'fault');
  assert.match(result.fault!.detail, /instruction budget of 3 exhausted/);
  configureLimits({});
  assert.equal(xen.machine.call('xen_extra_version').status, 'returned');
});

test('a session goes on after a refused upload and after an internal error, which names the payload', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lp-untrusted-'));
  writeFileSync(path.join(dir, 'bad.livepatch'), nameOutside());
  writeFileSync(path.join(dir, 'moved.livepatch'), oldAddrMoved());
  const session = new XenSession({ target: targetPath, baseDir: dir });
  for (const [name, file] of [
    ['bad', 'bad.livepatch'],
    ['moved', 'moved.livepatch'],
  ]) {
    const refused = session.run(['upload', name, file]);
    assert.equal(refused.exitCode, 1, refused.stderr);
    assert.match(refused.stderr, /Error 22: Invalid argument/);
    assert.ok(
      refused.console.some((line) => line.startsWith(`(XEN) livepatch: ${name}: `)),
      refused.console.join('\n'),
    );
  }
  assert.equal(session.run(['call', 'xen_extra_version']).exitCode, 0);

  const bug = t.mock.method(XenLivepatch.prototype, 'upload', () => {
    throw new TypeError('a bug of ours');
  });
  const broken = session.run(['upload', 'hello', samplePayload('xen_hello_world')]);
  assert.equal(broken.exitCode, 1);
  assert.match(broken.stderr, /internal error in 'xen-livepatch upload hello .*' \(payload hello\): TypeError: a bug of ours/);
  bug.mock.restore();
  const loaded = session.run(['load', samplePayload('xen_hello_world')]);
  assert.equal(loaded.exitCode, 0, loaded.stderr);
  assert.ok(session.run(['call', 'xen_extra_version']).stdout.includes(hello));
});

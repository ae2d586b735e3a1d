import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SHN } from '../../../../../server/out/elf';
import { LinuxKernel } from '../../../../../server/out/emulator/klp/kernel';
import { headersModuleAbi } from '../../../../../server/out/emulator/klp/moduleAbi';
import { moduleFile, ModuleFileError, validModuleFile } from '../../../../../server/out/payload/klp/moduleFile';
import { linuxRelocate } from '../../../../../server/out/emulator/klp/moduleRelocations';
import { LoaderError } from '../../../../../server/out/emulator/loader';
import { Memory, Perm } from '../../../../../server/out/emulator/memory';
import { runLinuxCommand } from '../../../../../server/out/emulator/klp/shell';
import { readModinfo } from '../../../../../server/out/payload/modinfo';
import { parseElf } from '../../../../../server/out/elf';
import { commandsOf, parseScript } from '../../../../../server/out/scenario/parse';
import { kbuildSamples } from '../../../support/kbuildSamples';
import { fromRoot } from '../../../support/paths';

// 6.1's load_module() as the emulator models it for a kernel with a real module ABI: the ELF
// checks on the raw bytes, x86's relocation rules, and the ABI taken from the headers kbuild
// built the samples against (the oracle for the vermagic: the modules kbuild built).

const bundled = fromRoot('samples', 'build', 'payloads', 'klp', 'livepatch-sample.ko');
const refusal = (bytes: Uint8Array): string | undefined => {
  try {
    moduleFile(bytes);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ModuleFileError);
    return error.line;
  }
};

test('elf_validity_check: each header and section-table fault in the kernel words, nothing for a good module', () => {
  const good = readFileSync(bundled);
  assert.equal(refusal(good), undefined);
  assert.equal(validModuleFile(good).length, good.readUInt16LE(60));
  const edit = (_at: number, write: (b: Buffer) => void) => {
    const b = Buffer.from(good);
    write(b);
    return refusal(b);
  };
  assert.equal(refusal(good.subarray(0, 63)), 'Invalid ELF header len 63');
  assert.equal(
    edit(1, (b) => (b[1] = 0x58)),
    'Invalid ELF header magic: != \x7fELF',
  );
  assert.equal(
    edit(16, (b) => b.writeUInt16LE(2, 16)),
    'Invalid ELF header type: 2 != 1',
  );
  assert.equal(
    edit(18, (b) => b.writeUInt16LE(3, 18)),
    'Invalid architecture in ELF header: 3',
  );
  assert.equal(
    edit(58, (b) => b.writeUInt16LE(40, 58)),
    'Invalid ELF section header size',
  );
  assert.equal(
    edit(60, (b) => b.writeUInt16LE(1000, 60)),
    'Invalid ELF section header overflow',
  );
  assert.match(edit(62, (b) => b.writeUInt16LE(0, 62)) ?? '', /^Invalid ELF section name index: 0 \|\| e_shstrndx \(0\) >= e_shnum \(\d+\)$/);
  const shoff = Number(good.readBigUInt64LE(40));
  assert.equal(
    edit(0, (b) => b.writeBigUInt64LE(1n, shoff + 32)),
    'ELF Spec violation: section 0 type(0)!=SH_NULL or non-zero len or addr',
  );
  assert.equal(
    edit(0, (b) => b.writeBigUInt64LE(1n << 40n, shoff + 64 + 32)),
    `Invalid ELF section in module (section 1 type ${good.readUInt32LE(shoff + 64 + 4)})`,
  );
});

test("setup_load_info: .modinfo values are C strings that run past the section's end, as get_modinfo() reads them", () => {
  const b = Buffer.from(readFileSync(bundled));
  const elf = parseElf(b, 'm');
  const info = elf.section('.modinfo')!;
  const last = readModinfo(elf)!.entries.at(-1)!;
  b[Number(info.offset + info.size) - 1] = 0x58;
  const file = moduleFile(b);
  assert.ok(file.modinfo(last.key)!.startsWith(`${last.value}X`), 'the last value goes on into the next section');
});

test('x86 relocations: the place must be zero, 32 and 32S overflow, PC32 is never checked, other types are unknown', () => {
  const memory = new Memory();
  memory.map(0xffffffffc0000000n, 0x1000n, Perm.RW, 'module');
  const relocate = linuxRelocate('m');
  const at = 0xffffffffc0000010n;
  const site =
    (type: number, value: bigint, place = at) =>
    () =>
      relocate(memory, { type, value, place, where: '' });
  site(11, 0xffffffffc0000100n)();
  assert.deepEqual([...memory.read(at, 4)], [0x00, 0x01, 0x00, 0xc0]);
  assert.throws(
    site(11, 0xffffffffc0000100n),
    (e: Error) => e instanceof LoaderError && /existing value is nonzero for type 11, loc ffffffffc0000010, val ffffffffc0000100/.test(e.message),
  );
  assert.throws(site(10, 0xffffffffc0000100n, at + 8n), /module: overflow in relocation type 10 val ffffffffc0000100\nmodule: `m' likely not compiled with -mcmodel=kernel/);
  assert.doesNotThrow(site(2, 0x10n, at + 16n), 'PC32 far out of range is written, not refused');
  assert.throws(site(3, 0n, at + 32n), /module: m: Unknown rela relocation: 3/);
  assert.doesNotThrow(site(0, 0n, at), 'R_X86_64_NONE writes nothing and checks nothing');
});

const samples = kbuildSamples();
const headers = samples.samples?.headers;
const skip = samples.skip || (headers && !existsSync(path.join(headers, 'Module.symvers')) ? `${headers}/Module.symvers missing` : undefined);

test('the ABI from the headers: the vermagic kbuild put in the modules, the exports with their CRCs and GPL flags', { skip }, () => {
  const abi = headersModuleAbi(headers!);
  const ko = readFileSync(samples.samples!.modules['livepatch-sample']);
  assert.equal(abi.vermagic, readModinfo(parseElf(ko, 'ko'))!.entries.find((e) => e.key === 'vermagic')!.value);
  assert.equal(abi.exports.get('klp_enable_patch')?.gplOnly, true);
  assert.equal(abi.exports.get('_printk')?.gplOnly, false);
  assert.equal(abi.exports.has('cmdline_proc_show'), false, 'a static function is not exported');
});

test('with the ABI, insmod refuses what 6.1 refuses: non-GPL users of GPL-only exports, names not exported, W|X sections', { skip }, () => {
  const abi = headersModuleAbi(headers!);
  const kernel = LinuxKernel.boot(fromRoot('samples', 'build', 'target', 'sample-target'), { abi });
  const ko = Buffer.from(readFileSync(samples.samples!.modules['livepatch-sample']));
  const run = (bytes: Buffer) => {
    const mark = kernel.log.mark();
    const result = runLinuxCommand(kernel, commandsOf(parseScript('insmod m.ko\n', 'm.scn'))[0], { readFile: () => bytes });
    return { stderr: result.stderr, log: kernel.log.since(mark).map((l) => l.replace(/^\[[\s\d.]+\] /, '')) };
  };
  const elf = parseElf(ko, 'ko');
  const license = readModinfo(elf)!;
  const gpl = Buffer.from(ko);
  gpl.write('G\0\0', Number(elf.section('.modinfo')!.offset) + ko.subarray(Number(elf.section('.modinfo')!.offset)).indexOf('license=') + 8, 'latin1');
  assert.ok(license.entries.some((e) => e.key === 'license'));
  const proprietary = run(gpl);
  assert.equal(proprietary.stderr, 'insmod: ERROR: could not insert module m.ko: Unknown symbol in module\n');
  assert.ok(proprietary.log.includes('livepatch_sample: Unknown symbol klp_enable_patch (err -2)'), proprietary.log.join('\n'));
  const symtab = elf.sections.find((s) => s.type === 2)!;
  const undefinedIndex = elf.symbols(symtab).find((s) => s.name === 'seq_printf' && s.shndx === SHN.UNDEF)!.index;
  const common = Buffer.from(ko);
  common.writeUInt16LE(SHN.COMMON, Number(symtab.offset) + undefinedIndex * 24 + 6);
  assert.ok(run(common).log.includes('livepatch_sample: please compile with -fno-common'));
  const wx = Buffer.from(ko);
  const text = elf.section('.text')!;
  wx.writeBigUInt64LE(text.flags | 1n, Number(elf.header.shoff) + text.index * 64 + 8);
  assert.deepEqual(run(wx).log.at(-1), `livepatch_sample: section .text (index ${text.index}) has invalid WRITE|EXEC flags`);
});

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSamples, cString, elfHeaderField, relocationsFor, run, samplePath, sectionBytes, symbols, targetPath, undefinedSymbols } from './binutils';

const modulePath = samplePath('build', 'payloads', 'klp', 'livepatch-sample.ko');

before(() => buildSamples());

test('the livepatch module is relocatable with the .modinfo a livepatch module needs', () => {
  assert.match(elfHeaderField(modulePath, 'Type'), /^REL/);
  const modinfo = sectionBytes(modulePath, '.modinfo').toString('latin1').split('\0').filter(Boolean);
  for (const entry of ['livepatch=Y', 'name=livepatch_sample', 'license=GPL']) assert.ok(modinfo.includes(entry), `.modinfo lacks ${entry}`);
  assert.ok(
    modinfo.some((e) => /^vermagic=\S/.test(e)),
    '.modinfo lacks vermagic=',
  );
  assert.match(run('readelf', ['-n', modulePath]), /Build ID: [0-9a-f]{40}/);
});

test('module init calls klp_enable_patch, left undefined for the kernel to provide', () => {
  assert.ok(undefinedSymbols(modulePath).includes('klp_enable_patch'));
  assert.equal(symbols(modulePath).get('init_module')?.addr, symbols(modulePath).get('livepatch_init')?.addr, 'init_module aliases livepatch_init');
  const calls = relocationsFor(modulePath, '.text.livepatch_init').filter((r) => r.symbol === 'klp_enable_patch');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].type, 'R_X86_64_PLT32');
});

test('the klp_func array points at the name "cmdline_proc_show", a function of the target', () => {
  const relas = relocationsFor(modulePath, '.data.funcs');
  const oldName = relas.find((r) => r.offset === 0);
  assert.ok(oldName, 'no relocation for funcs[0].old_name');
  assert.equal(oldName.type, 'R_X86_64_64');
  assert.equal(cString(sectionBytes(modulePath, oldName.symbol), Number(oldName.addend)), 'cmdline_proc_show');
  assert.equal(relas.find((r) => r.offset === 8)?.symbol, '.text.livepatch_cmdline_proc_show', 'funcs[0].new_func');
  assert.equal(symbols(targetPath).get('cmdline_proc_show')?.type, 'T');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { bootSample, buildModule, insmod } from './support/kernel';
import { callAtomic } from './support/calls';
import { makeKlpRelocations } from './support/klpElf';

// A livepatch module's .klp.rela.<obj>.<section> relocations against SHN_LIVEPATCH symbols
// (.klp.sym.<obj>.<name>,<sympos>) are kept back at load and applied when the livepatch core
// asks, for one object: what klp_apply_section_relocs does at enable and at module load.

function klpModule(symbol: string): string {
  const source = `
#include <linux/module.h>
extern const char klp_target_data[] __asm__("\\".klp.sym.vmlinux.${symbol},0\\"");
/* notrace: its only relocation is the livepatch one, as klp-convert leaves a function. */
__attribute__((section(".text.t_read"), no_instrument_function)) long t_read(void) { return klp_target_data[0]; }
/* Only here so .shstrtab holds the name the relocation section takes (see klpElf.ts). */
__attribute__((section(".klp.rela.vmlinux.text.t_read"), used)) static const char name_holder = 0;
static int i(void) { return 0; }
static void e(void) { }
module_init(i);
module_exit(e);
MODULE_INFO(livepatch, "Y");
`;
  return makeKlpRelocations(buildModule(`klp-rela-${symbol}`, source), '.text.t_read', 'vmlinux');
}

test('the .klp.rela section is kept back at load and applied for vmlinux: the code then reads the target data', () => {
  const ko = klpModule('saved_command_line');
  const sections = execFileSync('readelf', ['-SW', ko], { encoding: 'utf8' });
  assert.match(sections, /\.klp\.rela\.vmlinux\.text\.t_read\s+RELA(\s+\S+){4}\s+AIo\s/, 'readelf: a RELA section with flags A, I and o (SHF_RELA_LIVEPATCH)');
  assert.match(execFileSync('readelf', ['-sW', ko], { encoding: 'utf8' }), /\.klp\.sym\.vmlinux\.saved_command_line,0/);
  const kernel = bootSample();
  insmod(kernel, ko);
  const mod = kernel.modules.get('klp_rela_saved_command_line')!;
  assert.deepEqual(
    mod.image.deferred.map((s) => s.name),
    ['.klp.rela.vmlinux.text.t_read'],
  );
  assert.equal(kernel.modules.applyKlpRelocations(mod, 'some_module'), 0, 'nothing for another object');
  assert.equal(mod.klpRelocated.size, 0);
  assert.equal(kernel.modules.applyKlpRelocations(mod, 'vmlinux'), 0);
  assert.equal(callAtomic(kernel, 't_read'), BigInt('c'.charCodeAt(0)), 'saved_command_line is "console=..."');
  assert.deepEqual([...mod.klpRelocated], ['.klp.rela.vmlinux.text.t_read']);
});

test('a livepatch symbol the object does not have fails with -EINVAL and the kernel message', () => {
  const kernel = bootSample();
  insmod(kernel, klpModule('no_such_symbol'));
  const mod = kernel.modules.get('klp_rela_no_such_symbol')!;
  assert.equal(kernel.modules.applyKlpRelocations(mod, 'vmlinux'), -22);
  assert.equal(kernel.log.entries().at(-1)!.text, "livepatch: symbol 'no_such_symbol' not found in symbol table");
  assert.equal(mod.klpRelocated.size, 0);
});

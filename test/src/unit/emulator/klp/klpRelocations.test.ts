import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { bootSample, buildModule, insmod } from './support/kernel';
import { makeKlpRelocations } from './support/klpElf';

// A livepatch module's .klp.rela.<obj>.<section> relocations against SHN_LIVEPATCH symbols
// (.klp.sym.<obj>.<name>,<sympos>) are kept back by the module loader: the livepatch core writes
// them (klp/livepatch/klpRelocations.ts): 6.1 writes a module's .klp.rela.vmlinux.* at its load,
// the ones for another module when that module comes.

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

test('the .klp.rela section is kept back from the ordinary relocation pass, with its SHN_LIVEPATCH symbol unresolved, for the livepatch core', () => {
  const ko = klpModule('saved_command_line');
  const sections = execFileSync('readelf', ['-SW', ko], { encoding: 'utf8' });
  assert.match(sections, /\.klp\.rela\.vmlinux\.text\.t_read\s+RELA(\s+\S+){4}\s+AIo\s/, 'readelf: a RELA section with flags A, I and o (SHF_RELA_LIVEPATCH)');
  assert.match(execFileSync('readelf', ['-sW', ko], { encoding: 'utf8' }), /\.klp\.sym\.vmlinux\.saved_command_line,0/);
  const kernel = bootSample();
  insmod(kernel, ko);
  const mod = kernel.modules.get('klp_rela_saved_command_line')!;
  const [deferred] = mod.image.deferred;
  assert.equal(deferred.name, '.klp.rela.vmlinux.text.t_read');
  assert.equal(deferred.target.name, '.text.t_read');
  assert.deepEqual(
    deferred.relocations.map((r) => [r.symbol.name, r.symbol.shndx, r.symbol.value]),
    [['.klp.sym.vmlinux.saved_command_line,0', 0xff20, undefined]],
  );
  assert.equal(mod.symbol('t_read'), deferred.target.address);
  const first = kernel.machine.memory.readU8(kernel.symbol('saved_command_line'));
  assert.equal(kernel.callAtomic(deferred.target.address).rax & 0xffn, BigInt(first), 't_read() reads the target through the resolved symbol');
});

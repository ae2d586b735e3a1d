import { hex16 } from '../addr';
import { stateName } from './abi';
import { readGuestFunc } from './guestLayout';
import { Hypervisor } from './hypervisor';

/** livepatch_printall(), the `x` debug key: every payload, its functions and its build-ids. */
export function dumpPayloads(h: Hypervisor): void {
  const say = (line: string) => h.console.printk(line);
  say("'x' pressed - Dumping all livepatch patches");
  say(`build-id: ${h.buildId}`);
  for (const p of h.payloads) {
    say(` name=${p.name} state=${stateName(p.state)}(${p.state}) ${hex16(p.text.address)} (.data=${hex16(p.rw.address)}, .rodata=${hex16(p.ro.address)}) using ${p.pages} pages.`);
    for (const address of p.funcs) {
      const f = readGuestFunc(h.machine.memory, address);
      say(`    ${f.name} patch ${hex16(f.oldAddr)}(${f.oldSize}) with ${hex16(f.newAddr)} (${f.newSize})`);
    }
    if (p.buildId) say(`build-id=${p.buildId}`);
    if (p.depends) say(`depend-on=${p.depends}`);
    if (p.xenDepends) say(`depend-on-xen=${p.xenDepends}`);
  }
}

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSamples, elfHeaderField, inlinedInto, run, samplePath, sectionBytes, sections, symbols, targetPath, type Section, type Sym } from './binutils';

const KERNEL_BASE = 0xffffffff81000000n;

let syms: Map<string, Sym>;
let secs: Map<string, Section>;
let text: Map<string, Buffer>;
let mcountLoc: Set<bigint>;

before(() => {
  buildSamples();
  syms = symbols(targetPath);
  secs = sections(targetPath);
  text = new Map(['.text', '.sched.text', '.noinstr.text', '.init.text'].map((s) => [s, sectionBytes(targetPath, s)]));
  const loc = sectionBytes(targetPath, '__mcount_loc');
  mcountLoc = new Set(Array.from({ length: loc.length / 8 }, (_, i) => loc.readBigUInt64LE(i * 8)));
});

function sym(name: string): Sym {
  const s = syms.get(name);
  assert.ok(s, `nm shows no ${name} in the sample target`);
  return s;
}

function sectionOf(address: bigint): Section | undefined {
  return [...secs.values()].find((s) => s.addr > 0n && address >= s.addr && address < s.addr + BigInt(s.size));
}

function firstBytes(name: string, count: number): Buffer {
  const { addr } = sym(name);
  const section = sectionOf(addr);
  assert.ok(section, `${name} is in no section`);
  const offset = Number(addr - section.addr);
  return text.get(section.name)?.subarray(offset, offset + count) ?? Buffer.alloc(0);
}

/** True when the function begins with e8 rel32 whose destination is __fentry__. */
function startsWithFentryCall(name: string): boolean {
  const bytes = firstBytes(name, 5);
  if (bytes[0] !== 0xe8) return false;
  return sym(name).addr + 5n + BigInt(bytes.readInt32LE(1)) === sym('__fentry__').addr;
}

const traceable = [
  'xen_extra_version',
  'xen_major_version',
  'xen_minor_version',
  'cmdline_proc_show',
  'meminfo_proc_show',
  'version_proc_show',
  'schedule',
  'scheduler_tick',
  'update_curr',
  'do_exit',
  'kthread_run',
  'sched_init',
  'proc_init',
  'start_kernel',
];
const notrace = ['__schedule', 'sched_clock', 'sched_clock_noinstr', 'raw_smp_processor_id', '__fentry__'];

test('the target is an ET_EXEC linked at the kernel base whose entry point is start_kernel', () => {
  assert.match(elfHeaderField(targetPath, 'Type'), /^EXEC/);
  assert.equal(BigInt(elfHeaderField(targetPath, 'Entry point address')), sym('start_kernel').addr);
  const loads = run('readelf', ['-lW', targetPath])
    .split('\n')
    .filter((l) => l.trim().startsWith('LOAD'));
  const lowest = loads.map((l) => BigInt(l.trim().split(/\s+/)[2])).reduce((a, b) => (a < b ? a : b));
  assert.equal(lowest, KERNEL_BASE);
});

test('the target carries a 20-byte GNU build-id note', () => {
  assert.match(run('readelf', ['-n', targetPath]), /NT_GNU_BUILD_ID[\s\S]*Build ID: [0-9a-f]{40}\n/);
  assert.equal(secs.get('.note.gnu.build-id')?.type, 'NOTE');
});

test('each function lives in the section that gives it its hazard', () => {
  // prettier-ignore
  const expected: Record<string, string> = {
    __schedule: '.sched.text', schedule: '.sched.text',
    sched_clock_noinstr: '.noinstr.text',
    sched_init: '.init.text', proc_init: '.init.text', start_kernel: '.init.text',
    xen_extra_version: '.text', xen_minor_version: '.text', cmdline_proc_show: '.text', meminfo_proc_show: '.text', do_exit: '.text', update_curr: '.text', raw_smp_processor_id: '.text',
  };
  for (const [name, section] of Object.entries(expected)) assert.equal(sectionOf(sym(name).addr)?.name, section, name);
  for (const name of ['.text', '.sched.text', '.noinstr.text', '.init.text']) assert.match(secs.get(name)?.flags ?? '', /^AX$/, name);
});

test('traceable functions start with call __fentry__ and are recorded in __mcount_loc', () => {
  for (const name of traceable) {
    assert.ok(startsWithFentryCall(name), `${name} does not start with call __fentry__`);
    assert.ok(mcountLoc.has(sym(name).addr), `${name} is not in __mcount_loc`);
  }
});

test('every __mcount_loc entry is a call __fentry__ at the start of a function', () => {
  assert.ok(mcountLoc.size >= traceable.length);
  const starts = new Map([...syms].filter(([, s]) => /^[Tt]$/.test(s.type)).map(([name, s]) => [s.addr, name]));
  for (const address of mcountLoc) {
    const name = starts.get(address);
    assert.ok(name, `__mcount_loc entry ${address.toString(16)} is not a function start`);
    assert.ok(startsWithFentryCall(name), name);
  }
});

test('notrace functions have no __fentry__ call', () => {
  for (const name of notrace) {
    assert.equal(startsWithFentryCall(name), false, `${name} starts with call __fentry__`);
    assert.equal(mcountLoc.has(sym(name).addr), false, `${name} is in __mcount_loc`);
  }
});

test('raw_smp_processor_id is shorter than the 5-byte patch jump and ends in ret', () => {
  const size = sym('raw_smp_processor_id').size ?? 0;
  assert.ok(size > 0 && size < 5, `size ${size}`);
  assert.equal(firstBytes('raw_smp_processor_id', size)[size - 1], 0xc3);
});

test('DWARF shows the scheduler helpers inlined into __schedule and show_val_kb into meminfo_proc_show', () => {
  const inlined = inlinedInto(targetPath);
  for (const helper of ['context_switch', 'pick_next_task', 'put_prev_task', 'update_rq_clock']) {
    assert.ok(inlined.get('__schedule')?.has(helper), `${helper} is not inlined into __schedule`);
  }
  assert.ok(inlined.get('meminfo_proc_show')?.has('show_val_kb'));
  for (const outOfLine of ['cmdline_proc_show', 'xen_extra_version', 'xen_minor_version']) {
    const callers = [...inlined].filter(([, callees]) => callees.has(outOfLine)).map(([caller]) => caller);
    assert.deepEqual(callers, [], `${outOfLine} is inlined into ${callers.join(', ')}`);
  }
});

test('update_curr is partly inlined: into scheduler_tick, and called out of line by do_exit', () => {
  assert.ok(inlinedInto(targetPath).get('scheduler_tick')?.has('update_curr'));
  assert.equal(sym('update_curr').type, 'T');
  const doExit = run('objdump', ['-d', '--no-show-raw-insn', `--disassemble=do_exit`, targetPath]);
  assert.match(doExit, /call\s+[0-9a-f]+ <update_curr>/);
  const tick = run('objdump', ['-d', '--no-show-raw-insn', `--disassemble=scheduler_tick`, targetPath]);
  assert.doesNotMatch(tick, /<update_curr>/);
});

test('the same sources run natively: every worker ticks, exits with its number, and the proc files print', () => {
  const out = run(samplePath('build', 'native', 'sample-target-native'), []);
  const [result, ...log] = out.split('\n');
  const ticks = log.filter((l) => /^kworker\/0:\d: tick \d$/.test(l));
  const exits = log.map((l) => /^kworker\/0:(\d)\[(\d)\]: exit (\d+) /.exec(l)).filter((m) => m !== null);
  assert.equal(exits.length, 3);
  for (const m of exits) assert.equal(m[3], m[2], 'exit code is the pid');
  assert.equal(ticks.length, 9);
  assert.ok(Number(result) >= ticks.length, `only ${result} context switches`);
  const cmdline = sectionBytes(targetPath, '.rodata');
  const at = Number(sym('saved_command_line').addr - (secs.get('.rodata')?.addr ?? 0n));
  const saved = cmdline.subarray(at, cmdline.indexOf(0, at)).toString('latin1');
  assert.ok(log.includes(saved), `no /proc/cmdline line "${saved}"`);
  assert.ok(log.some((l) => /^Xen version \d+\.\d+-unstable$/.test(l)));
  assert.ok(log.some((l) => /^MemTotal:\s+\d+ kB$/.test(l)));
});

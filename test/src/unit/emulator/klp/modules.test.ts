import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { bootSample, buildModule, insmod, newLog, sampleModules, sh } from './support/kernel';

// insmod / rmmod on the emulated kernel, in the words of kmod and of the kernel's module loader
// (kernel/module/main.c, kernel/params.c); the sample modules are built by samples/Makefile.

test('a module loads: sections placed, symbols resolved, init run in an insmod process, taints announced once', () => {
  const kernel = bootSample();
  newLog(kernel);
  assert.deepEqual(sh(kernel, 'insmod module-params.ko'), { stdout: '', stderr: '', exitCode: 0 });
  assert.deepEqual(newLog(kernel), [
    'module_params: loading out-of-tree module taints kernel.',
    'module_params: module verification failed: signature and/or required key missing - tainting kernel',
    'module_params: count=1 verbose=0 greeting=hello limit=10',
  ]);
  const mod = kernel.modules.get('module_params')!;
  assert.equal(mod.state, 'live');
  assert.ok(mod.sectionAddress('.text.module_params_init')! >= mod.image.start);
  assert.equal(mod.livepatch, false);
  assert.equal(sh(kernel, 'rmmod module_params').exitCode, 0);
  assert.deepEqual(newLog(kernel), ['module_params: unloaded']);
  assert.equal(kernel.modules.get('module_params'), undefined);
  sh(kernel, 'insmod module-params.ko');
  assert.deepEqual(newLog(kernel), ['module_params: count=1 verbose=0 greeting=hello limit=10'], 'taint notices come once per boot');
});

test('parameters: name=value of each type, bare bool, an unknown name ignored with a warning, a bad value refuses the module', () => {
  const kernel = bootSample();
  newLog(kernel);
  assert.equal(sh(kernel, 'insmod module-params.ko count=0x10 verbose greeting=hi limit=-1 bogus=1').exitCode, 1, 'limit is unsigned: -1 is invalid');
  // parse_args stops at the first bad one: `bogus`, after it, is never looked at.
  assert.deepEqual(newLog(kernel).slice(2), ["module_params: '-1' invalid for parameter 'limit'"]);
  assert.equal(sh(kernel, 'insmod module-params.ko count=-7 verbose greeting=hi limit=42 bogus=1').exitCode, 0);
  assert.deepEqual(newLog(kernel), ["module_params: unknown parameter 'bogus' ignored", 'module_params: count=-7 verbose=1 greeting=hi limit=42']);
  assert.deepEqual(
    kernel.modules
      .get('module_params')!
      .params.map((p) => `${p.name}:${p.type}`)
      .sort(),
    ['count:int', 'greeting:charp', 'limit:ulong', 'verbose:bool'],
  );
  sh(kernel, 'rmmod module_params');
  assert.deepEqual(sh(kernel, 'insmod module-params.ko count=12abc'), {
    stdout: '',
    stderr: 'insmod: ERROR: could not insert module module-params.ko: Invalid parameters\n',
    exitCode: 1,
  });
  assert.equal(kernel.modules.get('module_params'), undefined);
});

test("an unknown symbol refuses the module: one log line per symbol, kmod's message, exit 1", () => {
  const kernel = bootSample();
  newLog(kernel);
  assert.deepEqual(sh(kernel, 'insmod unknown-symbol.ko'), {
    stdout: '',
    stderr: 'insmod: ERROR: could not insert module unknown-symbol.ko: Unknown symbol in module\n',
    exitCode: 1,
  });
  assert.equal(newLog(kernel).pop(), 'unknown_symbol: Unknown symbol no_such_kernel_function (err -2)');
  assert.equal(kernel.modules.list().length, 0);
  assert.equal(kernel.machine.symbols.get('unknown_symbol_init'), undefined, 'nothing of it stays loaded');
});

test('a failing init refuses the module with its errno; a missing file and a second load are refused too', () => {
  const kernel = bootSample();
  newLog(kernel);
  assert.deepEqual(sh(kernel, 'insmod init-fails.ko'), { stdout: '', stderr: 'insmod: ERROR: could not insert module init-fails.ko: No such device\n', exitCode: 1 });
  assert.equal(newLog(kernel).pop(), 'init_fails: no device, giving up');
  assert.equal(kernel.modules.get('init_fails'), undefined);
  assert.deepEqual(sh(kernel, 'insmod /nonexistent/x.ko'), {
    stdout: '',
    stderr: 'insmod: ERROR: could not load module /nonexistent/x.ko: No such file or directory\n',
    exitCode: 1,
  });
  sh(kernel, 'insmod module-params.ko');
  assert.deepEqual(sh(kernel, 'insmod module-params.ko'), { stdout: '', stderr: 'insmod: ERROR: could not insert module module-params.ko: File exists\n', exitCode: 1 });
  assert.deepEqual(sh(kernel, 'insmod'), { stdout: '', stderr: 'insmod: ERROR: missing filename.\n', exitCode: 1 });
});

test('a file that is not a module is an invalid module format; a vermagic mismatch is refused when the kernel has one', () => {
  const kernel = bootSample();
  assert.equal(
    sh(kernel, `insmod ${path.join(sampleModules, 'module-params.o')}`).stderr,
    `insmod: ERROR: could not insert module ${path.join(sampleModules, 'module-params.o')}: Invalid module format\n`,
  );
  const strict = bootSample({ vermagic: '6.1.0-56-amd64 SMP preempt mod_unload modversions ' });
  newLog(strict);
  assert.equal(sh(strict, 'insmod module-params.ko').stderr, 'insmod: ERROR: could not insert module module-params.ko: Invalid module format\n');
  assert.deepEqual(newLog(strict), [
    "module_params: version magic '6.1.0-livepatch-lens-sample SMP preempt mod_unload ' should be '6.1.0-56-amd64 SMP preempt mod_unload modversions '",
  ]);
});

test('rmmod refuses a module not loaded, one in use by another module, and one someone holds a reference on', () => {
  const kernel = bootSample();
  assert.deepEqual(sh(kernel, 'rmmod livepatch-sample'), { stdout: '', stderr: 'rmmod: ERROR: Module livepatch_sample is not currently loaded\n', exitCode: 1 });
  const provider = buildModule(
    'provider',
    '#include <linux/module.h>\n#include <linux/export.h>\nint provided_value(void) { return 42; }\nEXPORT_SYMBOL(provided_value);\nstatic int i(void) { return 0; }\nstatic void e(void) { }\nmodule_init(i);\nmodule_exit(e);\n',
  );
  const user = buildModule(
    'user-mod',
    '#include <linux/module.h>\nint provided_value(void);\nstatic int i(void) { return provided_value() == 42 ? 0 : -22; }\nstatic void e(void) { }\nmodule_init(i);\nmodule_exit(e);\n',
  );
  insmod(kernel, provider);
  insmod(kernel, user);
  assert.deepEqual(sh(kernel, 'rmmod provider'), { stdout: '', stderr: 'rmmod: ERROR: Module provider is in use by: user_mod\n', exitCode: 1 });
  kernel.modules.get('user_mod')!.refcount = 1;
  assert.deepEqual(sh(kernel, 'rmmod user_mod'), { stdout: '', stderr: 'rmmod: ERROR: Module user_mod is in use\n', exitCode: 1 });
  kernel.modules.get('user_mod')!.refcount = 0;
  assert.equal(sh(kernel, 'rmmod user_mod provider').exitCode, 0);
  assert.equal(kernel.modules.list().length, 0);
});

test('a module with an init and no exit cannot be removed (delete_module: -EBUSY)', () => {
  const kernel = bootSample();
  // What modpost writes for a module without module_exit: a struct module with no .exit.
  const source = [
    '#include <linux/module.h>',
    'static int i(void) { return 0; }',
    'module_init(i);',
    'MODULE_INFO(name, "no_exit");',
    '__attribute__((section(".gnu.linkonce.this_module"))) struct module __this_module = { .name = "no_exit", .init = init_module };',
  ].join('\n');
  const ko = buildModule('no-exit', `${source}\n`, ['-fno-stack-protector'], false);
  insmod(kernel, ko);
  assert.deepEqual(sh(kernel, 'rmmod no_exit'), { stdout: '', stderr: `rmmod: ERROR: could not remove module no_exit: Device or resource busy\n`, exitCode: 1 });
});

test('coming notifiers run before init (and may refuse the module), going ones after exit or a failed init, not after a refusal', () => {
  const kernel = bootSample();
  const events: string[] = [];
  kernel.modules.onComing((m) => {
    events.push(`coming ${m.name} ${m.state}`);
    return m.name === 'init_fails' ? undefined : m.name === 'sleepy_work' ? -16 : undefined;
  });
  kernel.modules.onGoing((m) => void events.push(`going ${m.name} ${m.state}`));
  sh(kernel, 'insmod module-params.ko');
  sh(kernel, 'rmmod module_params');
  sh(kernel, 'insmod init-fails.ko');
  assert.deepEqual(sh(kernel, 'insmod sleepy-work.ko').stderr, 'insmod: ERROR: could not insert module sleepy-work.ko: Device or resource busy\n');
  assert.deepEqual(events, [
    'coming module_params coming',
    'going module_params going',
    'coming init_fails coming',
    'going init_fails going',
    // 6.1's prepare_coming_module(): a refusing notifier's module goes to bug_cleanup, past the going notifiers.
    'coming sleepy_work coming',
  ]);
  assert.ok(
    newLog(kernel).every((l) => !l.includes('sleepy_work_fn enter')),
    'a refused module never ran its init',
  );
});

test('a module exposes its ELF, sections and symbols, and is found by an address inside it', () => {
  const kernel = bootSample();
  sh(kernel, 'insmod sleepy-work.ko');
  const mod = kernel.modules.get('sleepy_work')!;
  const fn = mod.symbol('sleepy_work_fn')!;
  assert.equal(kernel.modules.containing(fn), mod);
  assert.equal(kernel.modules.containing(mod.thisModule!), mod);
  assert.equal(mod.elf.sections.find((s) => s.name === '.modinfo') !== undefined, true);
  assert.equal(mod.modinfo.get('license'), 'GPL');
  assert.ok(readFileSync(path.join(sampleModules, 'sleepy-work.ko')).length > 0);
});

test('/proc/modules and /proc/sys/kernel/tainted show what the loader did (45056 = O + E + K, as on the real machine)', () => {
  const kernel = bootSample();
  assert.equal(sh(kernel, 'cat /proc/sys/kernel/tainted').stdout, '0\n');
  assert.equal(sh(kernel, 'cat /proc/modules').stdout, '');
  sh(kernel, 'insmod module-params.ko');
  const ko = buildModule(
    'lp-flag',
    '#include <linux/module.h>\nstatic int i(void) { return 0; }\nstatic void e(void) { }\nmodule_init(i);\nmodule_exit(e);\nMODULE_INFO(livepatch, "Y");\n',
  );
  insmod(kernel, ko);
  assert.equal(sh(kernel, 'cat /proc/sys/kernel/tainted').stdout, `${4096 + 8192 + 32768}\n`);
  const lines = sh(kernel, 'cat /proc/modules').stdout.trimEnd().split('\n');
  assert.match(lines[0], /^lp_flag \d+ 0 - Live 0x[0-9a-f]{16} \(OEK\)$/);
  assert.match(lines[1], /^module_params \d+ 0 - Live 0x[0-9a-f]{16} \(OE\)$/);
});

test("the module's own struct module holds its state: COMING during init, LIVE after, GOING during exit", () => {
  const kernel = bootSample();
  const source = [
    '#include <linux/module.h>',
    '#include <linux/printk.h>',
    'int t_state(void) { return THIS_MODULE->state; }',
    'static int i(void) { pr_info("init state %d\\n", THIS_MODULE->state); return 0; }',
    'static void e(void) { pr_info("exit state %d\\n", THIS_MODULE->state); }',
    'module_init(i);',
    'module_exit(e);',
  ].join('\n');
  insmod(kernel, buildModule('state-mod', `${source}\n`));
  assert.equal(kernel.callAtomic('t_state').rax, 0n, 'MODULE_STATE_LIVE');
  sh(kernel, 'rmmod state_mod');
  const lines = newLog(kernel);
  assert.deepEqual(
    lines.filter((l) => / state \d/.test(l)),
    ['init state 1', 'exit state 2'],
  );
});

import * as path from 'node:path';
import { run } from '../samples/binutils';
import { assemble, buildDir, linkRelocatable, writeSource } from './build';
import { kernelKlpHeader } from './kernelLayoutModule';

/**
 * A tiny vmlinux as the module loader sees it: `__x86_return_thunk` defined as in
 * arch/x86/lib/retpoline.S (a NOTYPE GLOBAL label) and exported, a GPL-only export, a global
 * function and a static one that are defined but not exported. Each export leaves the
 * `__ksymtab_<name>` label EXPORT_SYMBOL puts in __ksymtab / __ksymtab_gpl; with `modversions`,
 * the CRC tables too.
 */
/** CONFIG_MODVERSIONS: each export's CRC behind a `__crc_<name>` label in __kcrctab / __kcrctab_gpl. */
const crcTables = `
	.section __kcrctab, "a"
__crc___x86_return_thunk:
	.long 0x0b7e4d21
__crc_exported_func:
	.long 0x12345678
	.section __kcrctab_gpl, "a"
__crc_gpl_func:
	.long 0x9abcdef0
`;

export function exportingTarget(modversions = false): string {
  const name = modversions ? 'exporting-target-modversions' : 'exporting-target';
  const object = assemble(
    name,
    `
	.text
	.globl __x86_return_thunk
__x86_return_thunk:
	ret
	.globl exported_func
	.type exported_func, @function
exported_func:
	ret
	.size exported_func, . - exported_func
	.globl gpl_func
	.type gpl_func, @function
gpl_func:
	ret
	.size gpl_func, . - gpl_func
	.globl unexported_func
	.type unexported_func, @function
unexported_func:
	ret
	.size unexported_func, . - unexported_func
	.type static_func, @function
static_func:
	ret
	.size static_func, . - static_func
	.section __ksymtab, "a"
__ksymtab___x86_return_thunk:
	.long __x86_return_thunk - ., 0, 0
__ksymtab_exported_func:
	.long exported_func - ., 0, 0
	.section __ksymtab_gpl, "a"
__ksymtab_gpl_func:
	.long gpl_func - ., 0, 0
${modversions ? crcTables : ''}`,
  );
  const out = path.join(buildDir, name);
  run('ld', ['--build-id=sha1', '-e', '0', '-o', out, object]);
  return out;
}

/**
 * A plain module (no livepatch=Y, no klp_enable_patch) whose code calls `callees`, with
 * MODULE_LICENSE `license` (none when undefined); `weak` callees are weak references.
 */
export function moduleCalling(name: string, callees: string[], license: string | undefined, weak: string[] = []): string {
  const modinfo = [`name=${name}`, ...(license !== undefined ? [`license=${license}`] : [])].map((e) => `\t.asciz "${e}"`).join('\n');
  return assemble(
    name,
    `
${weak.map((w) => `\t.weak ${w}`).join('\n')}
	.text
	.globl init_module
	.type init_module, @function
init_module:
${callees.map((c) => `\tcall ${c}`).join('\n')}
	jmp __x86_return_thunk
	.size init_module, . - init_module
	.section .modinfo, "a"
${modinfo}
`,
  );
}

/**
 * The shape of samples/livepatch/livepatch-callbacks-demo.c: an object whose funcs array is an
 * empty `{ { } }`, which gcc puts in .bss (no file bytes), beside an object with a function.
 */
export function moduleWithBssFuncs(): string {
  const source = writeSource(
    'bss-funcs-module.c',
    `${kernelKlpHeader}
static int new_work(void) { return 1; }
static struct klp_func no_funcs[] = { { } };
static struct klp_func busy_funcs[] = { { .old_name = "busymod_work_func", .new_func = new_work }, { } };
static struct klp_object objs[] = { { .funcs = no_funcs }, { .name = "busymod", .funcs = busy_funcs }, { } };
static struct klp_patch patch = { .objs = objs };
int init_module(void) { return klp_enable_patch(&patch); }
static const char modinfo[] __attribute__((section(".modinfo"), used)) = "livepatch=Y\\0name=bss_funcs";
`,
  );
  const object = path.join(buildDir, 'bss-funcs-module.o');
  run('gcc', ['-O2', '-mcmodel=kernel', '-fno-pic', '-mno-red-zone', '-c', '-o', object, source]);
  return linkRelocatable('bss-funcs-module.ko', [object]);
}

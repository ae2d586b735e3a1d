import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fromRoot } from '../../../../support/paths';

// The sample payloads (samples/payloads/xen, built by `make -C samples`) and payloads built here
// the same way for what the samples do not cover: expectations, vetoing and action hooks,
// inconsistent hooks, faulting hooks, a missing xen_depends note, an unknown symbol.

export const samples = fromRoot('samples');
export const targetPath = path.join(samples, 'build', 'target', 'sample-target');
const sampleXen = path.join(samples, 'build', 'payloads', 'xen');
const buildDir = fromRoot('test', 'fixtures', 'build', 'xen-runtime');

export const samplePayload = (name: string): string => path.join(sampleXen, `${name}.livepatch`);
export const sampleBytes = (name: string): Buffer => readFileSync(samplePayload(name));

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function buildSamples(): void {
  run('make', ['-s', '-C', samples]);
}

/** Address and size of a target symbol, from `nm -S` (the oracle for addresses). */
export function nmSymbol(name: string, file = targetPath): { address: bigint; size: number } {
  const line = run('nm', ['-S', '--defined-only', file])
    .split('\n')
    .find((l) => l.split(/\s+/)[3] === name);
  if (!line) throw new Error(`${name} is not in ${file}`);
  const [address, size] = line.split(/\s+/);
  return { address: BigInt(`0x${address}`), size: Number.parseInt(size, 16) };
}

/** Bytes of the target file at a symbol, as objdump disassembles them (the oracle for code). */
export function objdumpBytes(name: string, length: number): Buffer {
  const { address } = nmSymbol(name);
  const text = run('objdump', ['-d', '-z', `--start-address=0x${address.toString(16)}`, `--stop-address=0x${(address + BigInt(length)).toString(16)}`, targetPath]);
  const hex = text.split('\n').flatMap((l) => /^\s*[0-9a-f]+:\t((?:[0-9a-f]{2} )+)/.exec(l)?.[1].trim().split(' ') ?? []);
  return Buffer.from(hex.join(''), 'hex');
}

/** `readelf -n`'s build-id of a file. */
export function readelfBuildId(file: string): string {
  return /Build ID: ([0-9a-f]+)/.exec(run('readelf', ['-n', file]))![1];
}

// samples/Makefile's XEN_CFLAGS.
const xenCflags = [
  '-std=gnu11',
  '-O2',
  '-nostdinc',
  '-Wall',
  '-Wno-unused-parameter',
  '-mno-sse',
  '-mno-mmx',
  '-mno-red-zone',
  '-ffreestanding',
  '-fno-builtin',
  '-fno-common',
  '-fpic',
  '-fno-stack-protector',
  '-fcf-protection=none',
  '-fno-asynchronous-unwind-tables',
  '-ffunction-sections',
  '-fdata-sections',
];

/**
 * Compiles `source` with the flags samples/Makefile builds Xen payloads with (Xen's: -fpic, no fentry) against the sample headers and config.h, and links
 * it like xen/test/livepatch/Makefile: `ld -r --build-id` with the depends notes, then
 * `.livepatch.funcs` made read-only.
 */
export function buildPayload(name: string, source: string, options: { xenNote?: boolean; defines?: string[] } = {}): string {
  mkdirSync(buildDir, { recursive: true });
  const c = path.join(buildDir, `${name}.c`);
  const o = path.join(buildDir, `${name}.o`);
  const out = path.join(buildDir, `${name}.livepatch`);
  writeFileSync(c, source);
  run('gcc', [...xenCflags, `-I${path.join(samples, 'include')}`, `-I${sampleXen}`, ...(options.defines ?? []).map((d) => `-D${d}`), '-c', '-o', o, c]);
  const notes = [path.join(sampleXen, 'note.o'), ...(options.xenNote === false ? [] : [path.join(sampleXen, 'xen_note.o')])];
  run('ld', ['-r', '--build-id=sha1', '-z', 'noexecstack', '-o', out, o, ...notes]);
  run('objcopy', ['--set-section-flags', '.livepatch.funcs=alloc,readonly', out]);
  return out;
}

/** The emulator's `struct payload` and Xen's `struct livepatch_fstate`, for hooks that read them. */
export const payloadStructC = `
#include <linux/kernel.h>
#include <xen/livepatch_payload.h>
#include <xen/version.h>
#include "config.h"
struct livepatch_fstate { unsigned int patch_offset; unsigned int applied; uint8_t insn_buffer[31]; };
struct payload {
	uint32_t state; int rc; _Bool reverted; _Bool safe_to_reapply; char xen_private[94];
	const struct livepatch_func *funcs; struct livepatch_fstate *fstate; unsigned int nfuncs; char pad[4];
	char name[128];
};
void arch_livepatch_apply(const struct livepatch_func *func, struct livepatch_fstate *state);
void arch_livepatch_revert(const struct livepatch_func *func, struct livepatch_fstate *state);
#define EINVAL 22
`;

/** One livepatch_func replacing `old` with `replacement`; extra fields (expect) appended. */
export const funcC = (variable: string, old: string, replacement: string, extra = ''): string => `
static const char ${variable}_name[] = "${old}";
struct livepatch_func __attribute__((section(".livepatch.funcs"))) ${variable} = {
	.version = LIVEPATCH_PAYLOAD_VERSION, .name = ${variable}_name,
	.new_addr = ${replacement}, .old_addr = ${old},
	.new_size = 16, .old_size = ${old.toUpperCase()}_SZ, ${extra}
};`;

/**
 * A payload replacing `old` (its old_size from nm, old_addr looked up by name) with
 * `lp_replacement()`, which runs `statement` (bug.h's WARN/BUG/ASSERT are there) and answers 77;
 * `prelude` is C placed before it.
 */
export const replacingPayload = (name: string, old: string, statement: string, prelude = ''): string =>
  buildPayload(
    name,
    `${payloadStructC}#include <xen/bug.h>
${prelude}
unsigned int lp_replacement(void) { ${statement}; return 77; }
static const char f_name[] = "${old}";
struct livepatch_func __attribute__((section(".livepatch.funcs"))) f = {
	.version = LIVEPATCH_PAYLOAD_VERSION, .name = f_name, .new_addr = lp_replacement, .old_addr = 0,
	.new_size = 32, .old_size = ${nmSymbol(old).size},
};`,
  );

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, Perm } from '../../../../server/out/emulator';

// Segment bases: %gs:/%fs: operands add the base; FSGSBASE instructions, the base MSRs and
// swapgs set and read it, as a kernel's per-CPU setup does.

const le = (value: bigint, bytes: number) => Array.from({ length: bytes }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
const movabsRax = (v: bigint) => [0x48, 0xb8, ...le(v, 8)];
const WRGSBASE_RAX = [0xf3, 0x48, 0x0f, 0xae, 0xd8];
const RDGSBASE_RAX = [0xf3, 0x48, 0x0f, 0xae, 0xc8];
const WRFSBASE_RAX = [0xf3, 0x48, 0x0f, 0xae, 0xd0];
const RDFSBASE_RAX = [0xf3, 0x48, 0x0f, 0xae, 0xc0];
const MOV_RAX_GS_28 = [0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00];
const MOV_RAX_FS_8 = [0x64, 0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x00, 0x00];
const wrmsr = (msr: number, v: bigint) => [0xb9, ...le(BigInt(msr), 4), 0xb8, ...le(v & 0xffffffffn, 4), 0xba, ...le(v >> 32n, 4), 0x0f, 0x30];
const SWAPGS = [0x0f, 0x01, 0xf8];
const RET = [0xc3];

function run(code: number[]): { m: Machine; rax: bigint } {
  const m = new Machine();
  const at = m.allocateNearCode(4096n, 'test code', Perm.RWX);
  m.memory.write(at, Uint8Array.from(code), { force: true });
  const result = m.call(at);
  assert.equal(result.status, 'returned', result.fault?.report());
  return { m, rax: result.rax };
}

test('wrgsbase sets the base a %gs: operand adds; rdgsbase reads it back', () => {
  const m = new Machine();
  const area = m.allocate(4096n, 'per-cpu');
  m.memory.writeU64(area + 0x28n, 0x1122334455667788n);
  const code = [...movabsRax(area), ...WRGSBASE_RAX, ...MOV_RAX_GS_28, ...RET];
  const at = m.allocateNearCode(4096n, 'code', Perm.RWX);
  m.memory.write(at, Uint8Array.from(code), { force: true });
  assert.equal(m.call(at).rax, 0x1122334455667788n);
  m.memory.write(at, Uint8Array.from([...RDGSBASE_RAX, ...RET]), { force: true });
  assert.equal(m.call(at).rax, area);
});

test('%fs: is its own base', () => {
  const { rax } = run([...movabsRax(0x1000n), ...WRFSBASE_RAX, ...movabsRax(0n), ...RDFSBASE_RAX, ...RET]);
  assert.equal(rax, 0x1000n);
  const m = new Machine();
  const area = m.allocate(4096n, 'tls');
  m.memory.writeU64(area + 8n, 42n);
  const at = m.allocateNearCode(4096n, 'code', Perm.RWX);
  m.memory.write(at, Uint8Array.from([...movabsRax(area), ...WRFSBASE_RAX, ...MOV_RAX_FS_8, ...RET]), { force: true });
  assert.equal(m.call(at).rax, 42n);
});

test('wrmsr MSR_GS_BASE sets the base; swapgs exchanges it with MSR_KERNEL_GS_BASE', () => {
  const gs = 0xffff888012345000n;
  const kernelGs = 0xffff888000abc000n;
  assert.equal(run([...wrmsr(0xc0000101, gs), ...RDGSBASE_RAX, ...RET]).rax, gs);
  assert.equal(run([...wrmsr(0xc0000101, gs), ...wrmsr(0xc0000102, kernelGs), ...SWAPGS, ...RDGSBASE_RAX, ...RET]).rax, kernelGs);
  const { m } = run([...wrmsr(0xc0000101, gs), ...wrmsr(0xc0000102, kernelGs), ...SWAPGS, ...RET]);
  const c = m.cpu.state;
  assert.deepEqual([c.kernelGsLo >>> 0, c.kernelGsHi >>> 0], [Number(gs & 0xffffffffn), Number(gs >> 32n)]);
});

test('another MSR still faults (privileged): only the segment bases are emulated', () => {
  const m = new Machine();
  const at = m.allocateNearCode(4096n, 'code', Perm.RWX);
  m.memory.write(at, Uint8Array.from([...wrmsr(0x1b, 0n), ...RET]), { force: true });
  const result = m.call(at);
  assert.equal(result.status, 'fault');
  assert.equal(result.fault!.kind, 'privileged');
});

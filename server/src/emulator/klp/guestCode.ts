import { GuestFault } from '../faults';
import { Machine } from '../machine';
import { NativeContext } from '../natives';
import { Perm } from '../memory';

const RAX = 0;
const RSP = 4;
const R11 = 11;
const ARGUMENT_REGISTERS = [7, 6, 2, 1, 8, 9];

/** What a native does next: call a guest function (and then `then` with its result), or return. */
export type GuestStep = { call: bigint; args: bigint[]; then: (result: bigint) => GuestStep } | { result: bigint };

/**
 * Lets a native call guest functions (a shadow variable's constructor, a destructor per freed
 * variable) without re-entering the machine: the native jumps to a trampoline that calls the
 * function with an aligned stack and jumps back into a native that takes the next step. Steps
 * are kept by stack pointer: a step that calls schedule() sleeps, and other tasks take steps of
 * their own meanwhile (a wait loop in msleep, wait_for_completion, mutex_lock). `ret` returns to
 * the native's caller.
 */
export class GuestCode {
  /** The `ret` instruction a jump native ends on, returning to whoever called the native. */
  readonly ret: bigint;
  private readonly trampoline: bigint;
  /** Next steps by the stack pointer of the native's caller: tasks that sleep in a step interleave. */
  private readonly pending = new Map<bigint, (result: bigint) => GuestStep>();

  constructor(machine: Machine) {
    machine.natives.define({
      name: '<guest-call-done>',
      kind: 'jump',
      run: (ctx) => {
        const sp = ctx.register(RSP);
        const then = this.pending.get(sp);
        if (!then) throw new GuestFault('bug', 'a guest call of the kernel model returned to a stack that made none');
        this.pending.delete(sp);
        return this.continueWith(ctx, then(ctx.register(RAX)));
      },
    });
    const done = machine.nativeAddress('<guest-call-done>')!;
    const page = machine.allocateNearCode(4096n, 'kernel trampolines', Perm.RW);
    this.trampoline = page;
    this.ret = page + 32n;
    const rel = Number(BigInt.asUintN(32, done - (page + 16n)));
    // sub $8,%rsp; call *%r11; add $8,%rsp; jmp <guest-call-done> (the result stays in %rax)
    const code = [0x48, 0x83, 0xec, 0x08, 0x41, 0xff, 0xd3, 0x48, 0x83, 0xc4, 0x08, 0xe9, rel & 255, (rel >>> 8) & 255, (rel >>> 16) & 255, rel >>> 24];
    machine.memory.write(page, new Uint8Array(code), { force: true });
    machine.memory.write(this.ret, new Uint8Array([0xc3]), { force: true });
    machine.memory.protect(page, 4096n, Perm.RX);
  }

  /** The address a `jump` native returns to take `step`: the trampoline, or `ret` with the result in %rax. */
  continueWith(ctx: NativeContext, step: GuestStep): bigint {
    if ('result' in step) {
      ctx.setRegister(RAX, step.result);
      return this.ret;
    }
    step.args.forEach((value, i) => ctx.setRegister(ARGUMENT_REGISTERS[i], value));
    ctx.setRegister(R11, step.call);
    this.pending.set(ctx.register(RSP), step.then);
    return this.trampoline;
  }
}

/** The same steps, with `fn` applied to the final result. */
export function andThen(step: GuestStep, fn: (result: bigint) => bigint): GuestStep {
  if ('result' in step) return { result: fn(step.result) };
  return { ...step, then: (r) => andThen(step.then(r), fn) };
}

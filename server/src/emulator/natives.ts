import { Memory } from './memory';

/** What a native sees of the machine while the guest is stopped inside it. */
export interface NativeContext {
  readonly memory: Memory;
  /** SysV integer argument `index` (rdi, rsi, rdx, rcx, r8, r9, then the caller's stack). */
  arg(index: number): bigint;
  /** General-purpose register by x86 number (rax=0 ... r15=15). */
  register(index: number): bigint;
  /** Sets a general-purpose register: a `jump` native passes arguments to where it jumps. */
  setRegister(index: number, value: bigint): void;
  /** Appends to the guest's console output. */
  print(text: string): void;
  symbolize(address: bigint): string;
  /** The return address on top of the stack: where a `call` of this native came from. */
  returnAddress(): bigint;
  /** Ends the current run after this native returns; the task can be resumed later. */
  stop(reason: string): void;
}

/**
 * A host function the guest can call. A `call` native runs like a C function: its result goes to
 * rax (undefined leaves rax alone) and the guest returns to its caller. A `jump` native returns
 * the address the guest continues at instead (the indirect-branch thunks).
 */
export type NativeSpec = { name: string; kind: 'call'; run(ctx: NativeContext): bigint | void } | { name: string; kind: 'jump'; run(ctx: NativeContext): bigint };

/** Natives by name, and the stub address each one got when something first linked to it. */
export class Natives {
  private readonly specs: NativeSpec[] = [];
  private readonly ids = new Map<string, number>();
  private readonly addresses = new Map<number, bigint>();

  define(spec: NativeSpec): void {
    const existing = this.ids.get(spec.name);
    if (existing !== undefined) {
      this.specs[existing] = spec;
      return;
    }
    this.ids.set(spec.name, this.specs.length);
    this.specs.push(spec);
  }

  id(name: string): number | undefined {
    return this.ids.get(name);
  }

  /** Every native's name: what code linked against the machine may call without the target defining it. */
  names(): string[] {
    return [...this.ids.keys()];
  }

  spec(id: number): NativeSpec {
    return this.specs[id];
  }

  stubAddress(id: number): bigint | undefined {
    return this.addresses.get(id);
  }

  setStubAddress(id: number, address: bigint): void {
    this.addresses.set(id, address);
  }
}

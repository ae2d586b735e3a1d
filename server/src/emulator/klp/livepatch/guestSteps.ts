// Guest code the core runs (a klp_object's callbacks) is yielded, not called: klp_enable_patch()
// runs inside a native, where the kernel model continues the native after each guest call, and
// the same steps run to completion one call after the other from host context (sysfs writes,
// the transition work, the module notifier).

export interface GuestCall {
  call: bigint;
  args: bigint[];
}

/** Steps that end with a T; each yield is a guest call, answered with its rax. */
export type Steps<T> = Generator<GuestCall, T, bigint>;

/** Runs steps with `call` answering each guest call. */
export function runSteps<T>(steps: Steps<T>, call: (c: GuestCall) => bigint): T {
  let next = steps.next();
  while (!next.done) next = steps.next(call(next.value));
  return next.value;
}

/** The steps of a plain value. */
// eslint-disable-next-line require-yield
export function* done<T>(value: T): Steps<T> {
  return value;
}

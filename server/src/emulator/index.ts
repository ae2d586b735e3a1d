/**
 * The embedded x86-64 emulator. Public API:
 *
 *   new Machine()                          memory + CPU + symbols + natives + tasks
 *     .loadTarget(path | ElfFile)          a linked image (ET_EXEC), mapped at its addresses
 *     .loadObject(path | ElfFile)          a relocatable object (ET_REL), laid out near the target
 *     .call(nameOrAddress, args, { budget, timeoutMs, task }) -> CallResult
 *                                          { status, rax, fault?, output, instructions }
 *     .createTask(name) / .switchTo(task) / .resume(task)
 *     .memory                              guest memory (BigInt host helpers, write({force}))
 *     .symbols                             name <-> address, describe(address)
 *     .natives.define(spec)                host functions callable by the guest
 *     .fentryHook                          called at every __fentry__ call: may redirect
 *     .cpu.trace                           per-instruction trace callback
 *   GuestFault                             what a guest run can end with (kind, rip, report())
 *
 *   new EmulatorSession(runtimeFactory('xen' | 'linux'), { target, objects?, baseDir?, budget?, timeoutMs?, trace?,
 *                                                         cpus?, seed?, poke?, nmiRate?, timerPeriod?, ipis? })   (smp/: several CPUs)
 *     .run(ScenarioCommand) -> { command, stdout, stderr, exitCode, log, call? }   never throws
 *     .state() -> EmulatorState                    the editor's view, keyed by runtime
 *   LivepatchRuntime / RuntimeFactory (runtime.ts) what xen/ and klp/ implement
 *   loadObject(file, name, { defer }) + applyDeferredRelocations(...), symbolByPosition(image, name, sympos)
 *                                          relocation sections applied later (.klp.rela.*), kallsyms-order lookup
 */
export { Machine, CallOptions, CallResult, FentryHook } from './machine';
export { GuestFault, EmulatorError, FaultKind } from './faults';
export { LoaderError, LoadedImage, LoadOptions, DeferredRelocationSection, DeferredRelocation, DeferredSymbol, applyDeferredRelocations, symbolByPosition } from './loader';
export { Memory, Perm } from './memory';
export { NativeSpec, NativeContext } from './natives';
export { Task, Frame } from './tasks';
export { SymbolTable, GuestSymbol } from './symbols';
export { formatPrintf } from './printk';
export { EmulatorSession, EmulatorSessionOptions, SessionCommandResult } from './session';
export { LivepatchRuntime, RuntimeFactory, RuntimeIo, RuntimeLog, RuntimeOutput } from './runtime';
export { runtimeFactory } from './runtimes';
export { CallReport } from './sessionCall';
export * from './state';

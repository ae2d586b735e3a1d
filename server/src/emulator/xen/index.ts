/**
 * Xen live patching in the emulator. Public API:
 *
 *   XenLivepatch.boot(target, { buildId?, cpus? })   a machine running the hypervisor image
 *   new XenLivepatch(machine, { buildId, cpus? })     on a machine whose target is loaded
 *     .upload(name, bytes) / .get(name) / .list() / .action(name, 'apply'|'revert'|'replace'|'unload', { nodeps?, timeoutNs? })
 *                                                     the sysctl sub-ops; 0 or -errno, as the hypercall returns
 *     .idle()                                         the idle loop: carries out the pending action
 *     .console.log                                    the hypervisor console, `(XEN) `-prefixed
 *     .payload(name) / .payloads() / .appliedStack() / .debugKey()  state for people: per-function applied state, the stack, the `x` dump
 *     .setRendezvousDelay(cpu, ns)                    a slow or stuck CPU, for quiesce timeouts
 *     .panicked                                       why the hypervisor died, once it has
 *   runXenLivepatch(xen, argv, { readFile?, idleLoopRuns? }) -> { stdout, stderr, exitCode }
 *                                                     the `xen-livepatch` tool against it
 *   new XenSession({ target, objects?, baseDir? }).run(argv) -> { command, stdout, stderr, exitCode, console, call? }
 *                                                     an EmulatorSession on this runtime, driven by argv words
 *   xenRuntimeFactory / XenRuntime                    the LivepatchRuntime (../runtime.ts) the EmulatorSession boots
 *   xenState(xen, target)                             the editor's view (XenEmulatorState)
 *   Guest layouts (guestLayout.ts): `struct livepatch_fstate` and the `struct payload` hooks receive.
 */
export { XenLivepatch, XenLivepatchOptions, PayloadStatus, ListedPayload } from './runtime';
export { ActionOptions } from './actions';
export { runXenLivepatch, ToolResult, ToolOptions } from './xenLivepatchTool';
export { XenSession, SessionOptions, SessionResult } from './session';
export { XenRuntime, xenRuntimeFactory } from './xenRuntime';
export { xenState } from './state';
export { XenPayloadView, FuncView } from './payloadView';
export * from './abi';
export { errno, strerror, ErrnoName } from '../errno';
export { fstateField, fstateSize, payloadField, LIVEPATCH_FUNC_APPLIED, LIVEPATCH_FUNC_NOT_APPLIED } from './guestLayout';

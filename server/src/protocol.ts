// Every custom request and notification between the client and the language server: the
// names and the shapes, imported by both sides (the client imports types only).
import type { PayloadView } from './payload/present/payloadView';

export type { PayloadView, FunctionView, ChainLink } from './payload/present/payloadView';

/** Client -> server: decode and check a payload file; the server also publishes its diagnostics. */
export const inspectPayloadRequest = 'livepatch/inspectPayload';
export interface InspectPayloadParams {
  /** file: URI of the payload (.livepatch, .ko, .o). */
  uri: string;
}
export interface InspectPayloadResult {
  view: PayloadView;
  diagnostics: DiagnosticView[];
  /** The target the checks ran against, or why there is none yet. */
  target: { path?: string; state: 'none' | 'loading' | 'ready' | 'failed'; detail?: string };
}

/** A diagnostic as the inspector lists it, with its docs page. */
export interface DiagnosticView {
  code: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  where?: string;
  docsUrl?: string;
}

/** Client -> server: the inspector for this payload closed; its diagnostics go away. */
export const closePayloadNotification = 'livepatch/closePayload';
export interface ClosePayloadParams {
  uri: string;
}

/** Server -> client: a payload's inspection changed (the target finished loading); ask again. */
export const payloadInspectionChangedNotification = 'livepatch/payloadInspectionChanged';
export interface PayloadInspectionChangedParams {
  uri: string;
}

/**
 * Client -> server (`workspace/executeCommand`, one argument object): the emulator's commands on
 * the server's one emulated hypervisor (booted on the target on first use). Each answers an
 * EmulatorCommandResult and is followed by an emulatorStateNotification.
 */
export const emulatorCommands = {
  upload: 'livepatch.emulator.upload', // { name, path }
  apply: 'livepatch.emulator.apply', // { name, nodeps? }
  revert: 'livepatch.emulator.revert', // { name }
  replace: 'livepatch.emulator.replace', // { name }
  unload: 'livepatch.emulator.unload', // { name }
  load: 'livepatch.emulator.load', // { path, nodeps? }
  list: 'livepatch.emulator.list',
  call: 'livepatch.emulator.call', // { function, args? }
  dump: 'livepatch.emulator.dump',
  reset: 'livepatch.emulator.reset',
} as const;
export type EmulatorCommand = keyof typeof emulatorCommands;
export interface EmulatorCommandArgs {
  name?: string;
  path?: string;
  nodeps?: boolean;
  function?: string;
  /** Integers, or `str:TEXT` for a pointer to a guest copy of TEXT. */
  args?: Array<number | string>;
}
export interface EmulatorCommandResult {
  /** As the command would type it: `xen-livepatch apply NAME`, `emu call FUNCTION`. */
  commandLine: string;
  /** xen-livepatch's: 0 success, 1 error, 2 try again; call: 0 returned, 1 fault, 2 bad usage. */
  exitCode: 0 | 1 | 2;
  stdout: string;
  stderr: string;
  /** The `(XEN) ` console lines the command caused. */
  console: string[];
  call?: EmulatorCallResult;
}
/** rax (hex), the string it points to, the guest's output, the instruction count, a fault report. */
export type EmulatorCallResult = import('./emulator/xen/sessionCall').CallReport;

/** Server -> client: the emulated hypervisor after a command, for the editor to show. */
export const emulatorStateNotification = 'livepatch/emulatorState';
export interface EmulatorState {
  target: string;
  /** Undefined until the hypervisor boots (or when it cannot). */
  buildId?: string;
  /** Why the hypervisor panicked; it refuses everything but `reset` until then. */
  panicked?: string;
  /** Applied payloads, bottom of the build-id stack first. */
  appliedStack: string[];
  payloads: EmulatorPayloadState[];
}
export interface EmulatorPayloadState {
  name: string;
  state: 'CHECKED' | 'APPLIED';
  /** 0, -EAGAIN while pending, or the last action's -errno. */
  rc: number;
  buildId: string;
  depends: string;
  xenDepends: string;
  metadata: string[];
  funcs: EmulatorFuncState[];
}
export interface EmulatorFuncState {
  name: string;
  oldAddr: string;
  /** `0x0` for a NOP-out. */
  newAddr: string;
  oldSize: number;
  newSize: number;
  applied: boolean;
  /** Hex bytes now at old_addr (old_size of them, at most 32): `e9 ...` once patched; null if unreadable. */
  bytes: string | null;
}

/** Server -> client: the target image the checks use, each time its state changes. */
export const targetStateNotification = 'livepatch/targetState';
export interface TargetStateParams {
  state: 'none' | 'loading' | 'ready' | 'failed';
  path?: string;
  buildId?: string;
  /** Why there is no target, or why indexing failed. */
  detail?: string;
  /** The sample target bundled with the extension, used because `livepatch.target` is empty. */
  bundled: boolean;
}

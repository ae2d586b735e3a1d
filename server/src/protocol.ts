// Every custom request and notification between the client and the language server: the
// names and the shapes, imported by both sides (the client imports types only).
import type { PayloadView } from './payload/present/payloadView';
import type { RuntimeName } from './scenario/dialect';

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
 * Client -> server (`workspace/executeCommand`, one argument object): the emulator's commands.
 * The server keeps one session per runtime (an emulated Xen hypervisor, an emulated Linux
 * kernel), each booted on the target on first use. Each command answers an EmulatorCommandResult
 * and is followed by an emulatorStateNotification for the runtime it ran on.
 */
export const emulatorCommands = {
  upload: 'livepatch.emulator.upload', // { name, path }                  Xen
  apply: 'livepatch.emulator.apply', // { name, nodeps? }                  Xen
  revert: 'livepatch.emulator.revert', // { name }                         Xen
  replace: 'livepatch.emulator.replace', // { name }                       Xen
  unload: 'livepatch.emulator.unload', // { name }                         Xen
  load: 'livepatch.emulator.load', // { path, nodeps? }                    Xen
  list: 'livepatch.emulator.list', //                                      Xen
  insmod: 'livepatch.emulator.insmod', // { path, params? }                Linux
  rmmod: 'livepatch.emulator.rmmod', // { name }                           Linux
  run: 'livepatch.emulator.run', // { line, runtime? }: one scenario line, e.g. `echo 0 > /sys/kernel/livepatch/p/enabled`
  call: 'livepatch.emulator.call', // { function, args?, runtime? }
  dump: 'livepatch.emulator.dump', // { runtime? }
  reset: 'livepatch.emulator.reset', // { runtime? }
  scenario: 'livepatch.emulator.runScenario', // { path }: a scenario file, answered by an EmulatorScenarioResult
} as const;
export type EmulatorCommand = keyof typeof emulatorCommands;
/** The verb of an emulator command id: the client's middleware and the server's handler both map ids back. */
export const emulatorVerbOf: ReadonlyMap<string, EmulatorCommand> = new Map(Object.entries(emulatorCommands).map(([verb, id]) => [id as string, verb as EmulatorCommand]));
export interface EmulatorCommandArgs {
  name?: string;
  path?: string;
  nodeps?: boolean;
  function?: string;
  /** Integers, or `str:TEXT` for a pointer to a guest copy of TEXT. */
  args?: Array<number | string>;
  /** insmod's `name=value` module parameters. */
  params?: string[];
  /** A scenario line (docs/scenario.md). */
  line?: string;
  /**
   * The session a command runs on, for those either runtime has (run, call, dump, reset);
   * default: what the line says (insmod, a `.ko`: Linux), else the runtime of the last command, else Xen.
   */
  runtime?: RuntimeName;
}
export interface EmulatorCommandResult {
  /** As the command would type it: `xen-livepatch apply NAME`, `insmod m.ko`, `emu call FUNCTION`. */
  commandLine: string;
  /** The real command's: xen-livepatch's 0 success, 1 error, 2 try again; a Linux shell's; call: 0 returned, 1 fault, 2 bad usage. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The machine log lines the command caused: `(XEN) ` console lines, `[    1.234567] ` kernel lines. */
  console: string[];
  call?: EmulatorCallResult;
}
/**
 * `livepatch.emulator.runScenario`: a scenario file (docs/scenario.md) run in the session of its
 * runtime as `livepatch-lens emu --echo --script FILE` runs it (a fresh boot of that session, paths
 * relative to the file, the first unmet expectation ends it), with a state notification after
 * every command; the session then stays as the scenario left it. `stdout` and `stderr` are the
 * CLI's, `exitCode` the scenario's status.
 */
export interface EmulatorScenarioResult extends EmulatorCommandResult {
  runtime: RuntimeName;
  /** The CLI's stdout and stderr lines as they came, as a terminal shows them. */
  transcript: string;
  /** Each command's own answer in order, the reboot first. */
  steps: EmulatorCommandResult[];
}
/** rax (hex), the string it points to, the guest's output, the instruction count, a fault report. */
export type EmulatorCallResult = import('./scenario/result').CallDetails;

/** Server -> client: an emulator session after a command, for the editor to show; `runtime` says which. */
export const emulatorStateNotification = 'livepatch/emulatorState';
export type {
  EmulatorState,
  XenEmulatorState,
  EmulatorPayloadState,
  EmulatorFuncState,
  LinuxEmulatorState,
  LinuxPatchState,
  LinuxPatchObjectState,
  LinuxPatchFuncState,
  LinuxTransitionState,
  LinuxBlockingTask,
  LinuxTaskState,
  LinuxModuleState,
  EmulatorCpusState,
  EmulatorCpuState,
} from './emulator/state';
export type { RuntimeName } from './scenario/dialect';

/** Server -> client: the target image the checks use, each time its state changes. */
export const targetStateNotification = 'livepatch/targetState';
export interface TargetStateParams {
  state: 'none' | 'loading' | 'ready' | 'failed';
  path?: string;
  buildId?: string;
  /** How the image is patched, once indexed: Xen livepatch, Linux klp, or `either` (the bundled sample is both). */
  flavour?: 'xen' | 'linux' | 'either';
  /** Why there is no target, or why indexing failed. */
  detail?: string;
  /** The sample target bundled with the extension, used because `livepatch.target` is empty. */
  bundled: boolean;
  /**
   * Once indexed: what the emulator boots the target as when it is a real image, its own code
   * running (a vmlinux as a Linux kernel, a xen-syms as a hypervisor; docs/emulator-real-*.md).
   * Absent: the bundled sample target's model.
   */
  realImage?: 'linux' | 'xen';
}

/**
 * Client -> server (Check Workspace): check one workspace file as it is on disk, C patch-module
 * sources, patches and payloads alike. Its findings stay in Problems while the file is closed and
 * are checked again when it changes on disk; an open document's own diagnostics take their place.
 */
export const checkWorkspaceFileRequest = 'livepatch/checkWorkspaceFile';
export interface CheckWorkspaceFileParams {
  uri: string;
}
export interface CheckWorkspaceFileResult {
  /** False for a file no check reads: a C file with no klp_func or livepatch_func table, an object or module that is no live patch, a file that is gone. */
  checked: boolean;
  findings: number;
}
/** The files Check Workspace reads, and the client's file watcher reports to the server. */
export const workspaceCheckGlob = '**/*.{patch,diff,c,livepatch,ko,o}';

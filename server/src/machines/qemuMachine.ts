import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandResult } from '../scenario/result';
import { ScenarioCommand } from '../scenario/command';
import { ConsoleEvent, ConsoleReader, GuestFrame, newNonce, quitLine, runLine } from './consoleProtocol';
import { guestCommandLine } from './guestShell';
import { buildInitramfs, BuiltImage, ImageEntry } from './initramfs';
import { MachineError } from './machineError';
import { incomingArgs, SavedState, saveState, waitRunning } from './machineState';
import { Accelerator, kvmUsable } from './qemu';
import { Qmp } from './qmp';
import { spawnTiedToThisProcess } from './tiedSpawn';

export const machineDefaults = {
  /** A TCG boot takes 2-10 s (Xen and dom0 about 8); a busy host and a user's verbose kernel need room. */
  bootTimeoutMs: 120_000,
  commandTimeoutMs: 60_000,
  /** How long a powered-off guest may take to end QEMU before it is killed. */
  closeTimeoutMs: 5_000,
  /**
   * A guest under KVM prints its first byte (firmware, the kernel's or Xen's banner) well within a
   * second; a host whose KVM cannot run it (a nested or paravirtual KVM) may leave QEMU silent
   * for good instead of failing, which would cost a whole boot timeout before TCG takes over.
   */
  kvmSilentMs: 10_000,
};

/** Why KVM failed in this process, once it has: later boots go to TCG at once. */
let kvmRefused: string | undefined;

/**
 * What makes a machine Linux or Xen: what is booted, what the image holds, how a scenario
 * command becomes the guest's words, and which lines of a frame are the command's log.
 */
export interface MachineProfile {
  qemu: string;
  /** What the boot line names: the kernel, or the hypervisor. */
  booted: string;
  entries(): ImageEntry[];
  qemuArgs(boot: { initrd: string; nonce: string; accel: Accelerator }): string[];
  /** The guest's words for a command: host paths rewritten to their copies, tool names added. */
  guestArgv(argv: string[]): string[];
  /** The log lines of a result: the kernel's (dmesg), or the hypervisor's console. */
  log(frame: GuestFrame): string[];
  /**
   * A console line that says the guest is going down for good (Xen's `Reboot in five seconds...`
   * after a panic): the machine is stopped at once instead of after the hypervisor's own delay.
   */
  downLine?: RegExp;
}

export interface MachineOptions {
  bootTimeoutMs?: number;
  /** Forced accelerator; KVM when /dev/kvm works otherwise, TCG when not (or when QEMU cannot use it). */
  accel?: Accelerator;
  cacheDir?: string;
  /** Cancels the boot or a running command: QEMU is killed at once. */
  signal?: AbortSignal;
  /** QEMU's machine protocol kept open, so that the booted machine can be checkpointed (checkpoint()) and resumed (resume()). */
  checkpoints?: boolean;
}

/** What resume() needs to start a machine again from its saved state: the state, and what the guest and its QEMU were. */
export interface Checkpoint extends SavedState {
  profile: MachineProfile;
  image: BuiltImage;
  accel: Accelerator;
  nonce: string;
  args: string[];
  /** Commands the guest had run: the next one it expects. */
  sent: number;
  bootLog: string[];
}

/** How a long command is watched besides its timeout. */
export interface RunWatch {
  /** The guest is taken for hung (and stopped) when it sends nothing for this long: for a command that says on the console how it is getting on. */
  quietMs?: number;
  /** A console line after which the command's result is not wanted (a kernel oops in a batch that is then run again): the machine is stopped at once. */
  stopOn?: RegExp;
}

type Waiter = { want: 'ready' | 'result'; resolve(event: ConsoleEvent): void; reject(error: Error): void };

/**
 * One booted guest in QEMU, a Linux kernel or a Xen hypervisor with its dom0: one boot for a
 * whole scenario, its commands run one at a time in the guest's shell, the VM killed when the
 * session ends, however it ends.
 */
export class QemuMachine {
  private waiter: Waiter | undefined;
  private readonly reader: ConsoleReader;
  private exited: Error | undefined;
  private readonly noise: string[] = [];
  private stderr = '';
  private sent = 0;
  private readonly killOnExit = () => {
    this.child.kill('SIGKILL');
    if (this.controlDir) rmSync(this.controlDir, { recursive: true, force: true });
  };
  private readonly onAbort = () => this.fail(new MachineError('cancelled; the machine was stopped'));
  bootLog: string[] = [];
  bootMs = 0;
  /** Why KVM was not used although /dev/kvm opened (QEMU's complaint), when the boot fell back to TCG. */
  kvmFailure: string | undefined;

  private qmp: Qmp | undefined;
  /** When the guest last sent a byte (0: not yet). */
  private heardAt = 0;
  /** The running command's RunWatch.stopOn. */
  private stopOn: RegExp | undefined;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly nonce: string,
    readonly accel: Accelerator,
    readonly image: BuiltImage,
    readonly profile: MachineProfile,
    private readonly signal: AbortSignal | undefined,
    /** QEMU's arguments but the control ones (QMP, -incoming): what a resumed machine must be started with again. */
    private readonly args: string[],
    /** Where the QMP socket lives, when there is one. */
    private readonly controlDir: string | undefined,
  ) {
    const down = profile.downLine;
    const reader = new ConsoleReader(
      nonce,
      (event) => this.event(event),
      undefined,
      (line) => {
        if (down?.test(line)) this.fail(new MachineError(`the guest went down: ${line}`));
        else if (this.stopOn?.test(line)) this.fail(new MachineError(`stopped at a console line: ${line}`));
      },
    );
    this.reader = reader;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.heardAt = performance.now();
      try {
        reader.feed(chunk);
      } catch (error) {
        this.fail(new MachineError((error as Error).message));
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-4096)));
    child.stdin.on('error', () => undefined); // a dead QEMU's closed pipe: the exit handler reports it
    child.on('error', (error) => this.fail(new MachineError(`cannot start ${profile.qemu}: ${error.message}`)));
    child.on('exit', (code, sig) => this.fail(new MachineError(`QEMU ended (${sig ?? `exit ${code}`})${this.why()}`)));
    process.once('exit', this.killOnExit);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Builds (or finds in the cache) the image and boots it; resolves once the guest shell waits for commands. */
  static async boot(profile: MachineProfile, options: MachineOptions = {}): Promise<QemuMachine> {
    const image = buildInitramfs(profile.entries(), options.cacheDir);
    const accel = options.accel ?? (kvmUsable() && !kvmRefused ? 'kvm' : 'tcg');
    try {
      const machine = await QemuMachine.start(profile, options, image, accel);
      if (accel === 'tcg' && !options.accel) machine.kvmFailure = kvmRefused;
      return machine;
    } catch (error) {
      // /dev/kvm may open in a container whose QEMU still cannot use it: TCG always works.
      if (accel !== 'kvm' || options.accel || !(error instanceof MachineError) || !/kvm/i.test(error.message)) throw error;
      kvmRefused = error.message;
      const machine = await QemuMachine.start(profile, options, image, 'tcg');
      machine.kvmFailure = error.message;
      return machine;
    }
  }

  /**
   * A new QEMU started from a checkpoint instead of a boot: the guest goes on from the moment it
   * was saved, in about a second where a boot under TCG takes 5-30. The checkpoint can be
   * resumed any number of times; each machine starts from the same state.
   */
  static async resume(checkpoint: Checkpoint, options: Omit<MachineOptions, 'accel'> = {}): Promise<QemuMachine> {
    const machine = await QemuMachine.start(checkpoint.profile, { ...options, accel: checkpoint.accel }, checkpoint.image, checkpoint.accel, checkpoint);
    machine.bootLog = checkpoint.bootLog;
    return machine;
  }

  private static async start(profile: MachineProfile, options: MachineOptions, image: BuiltImage, accel: Accelerator, from?: Checkpoint): Promise<QemuMachine> {
    if (options.signal?.aborted) throw new MachineError('cancelled before the machine booted');
    const nonce = from?.nonce ?? newNonce();
    const started = performance.now();
    const args = from?.args ?? profile.qemuArgs({ initrd: image.path, nonce, accel });
    const controlDir = options.checkpoints || from ? mkdtempSync(path.join(os.tmpdir(), 'll-qemu-')) : undefined;
    const socket = controlDir && path.join(controlDir, 'qmp.sock');
    const control = [...(socket ? ['-qmp', `unix:${socket},server=on,wait=off`] : []), ...(from ? incomingArgs(from) : [])];
    const child = spawnTiedToThisProcess(profile.qemu, [...args, ...control]);
    const machine = new QemuMachine(child, nonce, accel, image, profile, options.signal, args, controlDir);
    const timeoutMs = options.bootTimeoutMs ?? machineDefaults.bootTimeoutMs;
    const silent =
      accel === 'kvm' &&
      !from &&
      setTimeout(() => {
        if (!machine.heardAt) machine.fail(new MachineError(`under KVM the guest printed nothing within ${machineDefaults.kvmSilentMs} ms (this host's KVM does not run it)`));
      }, machineDefaults.kvmSilentMs);
    try {
      if (socket) machine.qmp = await Qmp.connect(socket, timeoutMs);
      if (from && machine.qmp) {
        machine.sent = from.sent;
        await waitRunning(machine.qmp, timeoutMs);
      } else {
        const ready = await machine.expect('ready', timeoutMs, `the guest did not boot within ${timeoutMs} ms`);
        if (ready.kind === 'ready') machine.bootLog = ready.bootLog;
      }
    } catch (error) {
      machine.kill();
      throw machine.exited ?? error;
    } finally {
      if (silent) clearTimeout(silent);
    }
    machine.bootMs = performance.now() - started;
    return machine;
  }

  /**
   * The machine's state, saved between two commands (after the last one sent has finished), for
   * resume(): the guest is paused, its memory and devices written to a file, and it runs on.
   */
  async checkpoint(): Promise<Checkpoint> {
    const qmp = this.qmp;
    if (!qmp) throw new MachineError('this machine was booted without checkpoints: true');
    await this.queue;
    if (this.exited) throw this.exited;
    const state = await saveState(qmp);
    return { ...state, profile: this.profile, image: this.image, accel: this.accel, nonce: this.nonce, args: this.args, sent: this.sent, bootLog: this.bootLog };
  }

  /** Runs one command in the guest and returns what it did; a MachineError when the machine cannot answer (or `watch` stopped it). */
  run(command: Pick<ScenarioCommand, 'argv' | 'redirect' | 'text'>, timeoutMs = machineDefaults.commandTimeoutMs, watch: RunWatch = {}): Promise<CommandResult> {
    // The guest's shell runs one command at a time: calls made together are answered in order.
    const result = this.queue.then(() => this.runNow(command, timeoutMs, watch));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private queue: Promise<unknown> = Promise.resolve();

  private async runNow(command: Pick<ScenarioCommand, 'argv' | 'redirect' | 'text'>, timeoutMs: number, { quietMs, stopOn }: RunWatch): Promise<CommandResult> {
    if (this.exited) throw this.exited;
    const index = this.sent++;
    this.child.stdin.write(runLine(guestCommandLine(command, (argv) => this.profile.guestArgv(argv))));
    this.heardAt = performance.now();
    this.stopOn = stopOn;
    const quiet =
      quietMs &&
      setInterval(
        () => {
          if (performance.now() - this.heardAt > quietMs)
            this.fail(new MachineError(`'${command.text.slice(0, 80)}' sent nothing for ${quietMs} ms; the machine was stopped${this.why()}`));
        },
        Math.min(1000, quietMs),
      );
    try {
      const event = await this.expect('result', timeoutMs, `'${command.text}' did not finish within ${timeoutMs} ms; the machine was stopped`);
      const frame = (event as { frame: GuestFrame }).frame;
      if (frame.index !== index) this.fail(new MachineError(`the guest answered command ${frame.index} for command ${index}`));
      return { command: command.text, stdout: frame.stdout, stderr: frame.stderr, exitCode: frame.exitCode, log: this.profile.log(frame) };
    } finally {
      if (quiet) clearInterval(quiet);
      this.stopOn = undefined;
    }
  }

  /** The console lines the command running when the machine died had printed (its hypervisor's last words). */
  unfinishedConsole(): string[] {
    return this.reader.unfinished;
  }

  /** Powers the guest off and waits for QEMU to end, killing it if it does not in time. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.exited) {
      this.child.stdin.end(quitLine);
      const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      const timer = setTimeout(() => this.kill(), machineDefaults.closeTimeoutMs);
      await done;
      clearTimeout(timer);
    }
    this.detach();
  }

  /** Kills QEMU without asking the guest to power off: for a machine that a resumed one replaces. */
  discard(): void {
    this.fail(new MachineError('discarded'));
  }

  private expect(want: Waiter['want'], timeoutMs: number, timeoutMessage: string): Promise<ConsoleEvent> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new MachineError(`${timeoutMessage}${this.why()}`)), timeoutMs);
      const settle =
        <T>(f: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          this.waiter = undefined;
          f(value);
        };
      this.waiter = { want, resolve: settle(resolve), reject: settle(reject) };
    });
  }

  private event(event: ConsoleEvent): void {
    if (event.kind === 'noise') {
      this.noise.push(event.line);
      if (this.noise.length > 40) this.noise.shift();
    } else if (this.waiter?.want === event.kind) this.waiter.resolve(event);
    else if (event.kind !== 'poweroff') this.fail(new MachineError(`the guest sent an unexpected '${event.kind}'${this.why()}`));
  }

  /** The end of everything: the VM killed, the waiting caller told why. */
  private fail(error: MachineError): void {
    if (!this.exited) this.exited = error;
    this.kill();
    this.waiter?.reject(this.exited);
  }

  private kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.detach();
  }

  private detach(): void {
    process.removeListener('exit', this.killOnExit);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.qmp?.close();
    if (this.controlDir) rmSync(this.controlDir, { recursive: true, force: true });
  }

  /** The last console lines outside frames (a panic, firmware) and QEMU's stderr, for a failure's message. */
  private why(): string {
    const parts = [this.noise.slice(-15).join('\n'), this.stderr.trim()].filter(Boolean);
    return parts.length ? `:\n${parts.join('\n')}` : '';
  }
}

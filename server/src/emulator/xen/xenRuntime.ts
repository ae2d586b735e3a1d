import * as path from 'node:path';
import type { ScenarioCommand } from '../../scenario/command';
import { emulatorVerbs } from '../../scenario/dialect';
import type { Machine } from '../machine';
import type { CallContext, LivepatchRuntime, RuntimeFactory, RuntimeIo, RuntimeLog, RuntimeOutput } from '../runtime';
import type { EmulatorState } from '../state';
import { XenLivepatch } from './runtime';
import { xenState } from './state';
import { catHypervisorFiles } from './sysHypervisor';
import { runXenLivepatch } from './xenLivepatchTool';

/**
 * Xen's runtime for the EmulatorSession: the commands are the `xen-livepatch` tool's (written
 * out as a dom0 shell has it, or bare as `emu` has always taken it) and dom0's `cat` of
 * /sys/hypervisor; `dump` is the `x` debug key, the log is the hypervisor console.
 */
export class XenRuntime implements LivepatchRuntime {
  readonly name = 'xen';
  readonly log: RuntimeLog;

  constructor(readonly xen: XenLivepatch) {
    this.log = {
      mark: () => xen.console.log.length,
      since: (mark) =>
        xen.console
          .since(mark)
          .split('\n')
          .filter((line) => line.length > 0),
    };
  }

  get machine(): Machine {
    return this.xen.machine;
  }

  get banner(): string {
    const real = this.xen.realBoot;
    return `build-id ${this.xen.buildId}${real ? `; the image's own code after its boot, ${real.natives.length} functions as natives` : ''}`;
  }

  /** A `call` runs on the current task; a BUG it hits panics the hypervisor once its output is out. */
  callContext(args: string[]): CallContext {
    return {
      args,
      around: (call) => {
        try {
          return call();
        } finally {
          this.xen.settlePanic();
        }
      },
    };
  }

  halted(): string | undefined {
    return this.xen.panicked && `the hypervisor has panicked (${this.xen.panicked})`;
  }

  /** `cat PATH` reads dom0's /sys/hypervisor; everything else is the tool's. */
  run(command: ScenarioCommand, io: RuntimeIo): RuntimeOutput {
    const [verb, ...paths] = command.argv;
    if (verb !== 'cat') return runXenLivepatch(this.xen, toolArguments(command.argv), io);
    const halted = this.halted();
    return halted ? { stdout: '', stderr: `${halted}; reset it\n`, exitCode: 1 } : catHypervisorFiles(this.xen, paths);
  }

  dump(): RuntimeOutput {
    this.xen.debugKey();
    return { stdout: '', stderr: '', exitCode: 0 };
  }

  /** The payload a command names: NAME of upload/apply/revert/replace/unload, FILE's base name for load. */
  subject(command: ScenarioCommand): string | undefined {
    const argv = toolArguments(command.argv);
    const [verb, ...rest] = argv[0] === '--force' ? argv.slice(1) : argv;
    const [first] = rest.filter((word) => !word.startsWith('--'));
    if (!verb || !first || emulatorVerbs.includes(verb) || verb === 'cat') return undefined;
    return `payload ${'load'.startsWith(verb) && verb.startsWith('lo') ? path.basename(first).replace(/\.[^.]*$/, '') : first}`;
  }

  state(target: string): EmulatorState {
    return xenState(this.xen, target);
  }
}

/** The tool's arguments: the words after `xen-livepatch` when it is written out. */
const toolArguments = (argv: string[]): string[] => (argv[0] === 'xen-livepatch' ? argv.slice(1) : argv);

export const xenRuntimeFactory: RuntimeFactory = {
  name: 'xen',
  boot: (target) => new XenRuntime(XenLivepatch.boot(target)),
};

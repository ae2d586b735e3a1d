import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EmulatorError } from '../faults';
import { LIVEPATCH_STATE_APPLIED, LIVEPATCH_STATE_CHECKED, LivepatchAction, nameSize, stateName } from './abi';
import { errno, strerror } from '../errno';
import { XenLivepatch } from './runtime';

export interface ToolResult {
  stdout: string;
  stderr: string;
  /** 0 success, 1 error, 2 try again (EAGAIN / EBUSY). */
  exitCode: 0 | 1 | 2;
}

export interface ToolOptions {
  readFile?: (file: string) => Uint8Array;
  /**
   * Whether the hypervisor's idle loop runs while the tool waits for an action (2 x 30 ms in
   * Xen); false shows what a hypervisor that never idles does to the tool.
   */
  idleLoopRuns?: boolean;
}

const help = `xen-livepatch: live patching tool
Usage: xen-livepatch [--force] <command> [args] [command-flags]
 Use --force option to bypass some checks.
 <name> An unique name of payload. Up to ${nameSize} characters.
Commands:
  help                   display this help
  upload <name> <file>   upload file <file> with <name> name
  list                   list payloads uploaded.
  apply <name> [flags]   apply <name> patch.
    Supported flags:
      --nodeps           Disable inter-module buildid dependency check.
                         Check only against hypervisor buildid.
  revert <name>          revert name <name> patch.
  replace <name>         apply <name> patch and revert all others.
  unload <name>          unload name <name> patch.
  load <file> [flags]    upload and apply <file> with name as the <file> name
    Supported flags:
      --nodeps           Disable inter-module buildid dependency check.
                         Check only against hypervisor buildid.
`;

interface ActionSpec {
  /** The state the payload must be in. */
  allow: number;
  /** The state after success; -ENOENT: gone (unload). */
  expected: number;
  verb: string;
}

// prettier-ignore
const actions: Record<LivepatchAction, ActionSpec> = {
  apply: { allow: LIVEPATCH_STATE_CHECKED, expected: LIVEPATCH_STATE_APPLIED, verb: 'Applying' },
  revert: { allow: LIVEPATCH_STATE_APPLIED, expected: LIVEPATCH_STATE_CHECKED, verb: 'Reverting' },
  unload: { allow: LIVEPATCH_STATE_CHECKED, expected: -errno('ENOENT'), verb: 'Unloading' },
  replace: { allow: LIVEPATCH_STATE_CHECKED, expected: LIVEPATCH_STATE_APPLIED, verb: 'Replacing all live patches with' },
};

/** Commands are matched by prefix, the main ones first, as `strncmp(name, argv[1], strlen(argv[1]))` does. */
const commandOrder = ['help', 'list', 'upload', 'load', 'apply', 'revert', 'unload', 'replace'] as const;
type Command = (typeof commandOrder)[number];

const retry = new Set([errno('EAGAIN'), errno('EBUSY')]);

/** Thrown inside a command with the positive errno it ends with (0 for plain usage errors). */
class Failed extends Error {
  constructor(readonly code: number) {
    super(`errno ${code}`);
  }
}

/**
 * `xen-livepatch` (tools/misc/xen-livepatch.c) against the emulated hypervisor: the same
 * commands, output on stdout and stderr, and exit codes. Waiting for an action runs the idle loop.
 */
export function runXenLivepatch(xen: XenLivepatch, argv: string[], options: ToolOptions = {}): ToolResult {
  const out: string[] = [];
  const err: string[] = [];
  const tool = new Tool(
    xen,
    options,
    (text) => out.push(text),
    (text) => err.push(text),
  );
  let code = 0;
  try {
    tool.main(argv);
  } catch (error) {
    if (error instanceof Failed) code = error.code || errno('EINVAL');
    else if (error instanceof EmulatorError) {
      err.push(`${error.message}\n`);
      code = errno('EINVAL');
    } else throw error;
  }
  return { stdout: out.join(''), stderr: err.join(''), exitCode: code === 0 ? 0 : retry.has(code) ? 2 : 1 };
}

class Tool {
  constructor(
    private readonly xen: XenLivepatch,
    private readonly options: ToolOptions,
    private readonly stdout: (text: string) => void,
    private readonly stderr: (text: string) => void,
  ) {}

  main(argv: string[]): void {
    // --force only sets LIVEPATCH_FLAG_FORCE, which the hypervisor accepts and nothing reads yet.
    const force = argv[0] === '--force';
    const [word, ...args] = force ? argv.slice(1) : argv;
    if (word === undefined) return this.stderr(help);
    const command = commandOrder.find((c) => c.startsWith(word));
    if (!command) {
      this.stderr(`Unrecognised command '${word}' -- try 'xen-livepatch help'\n`);
      throw new Failed(errno('EINVAL'));
    }
    this.run(command, args);
  }

  private run(command: Command, args: string[]): void {
    const flags = args.filter((a) => a.startsWith('--'));
    const positional = args.filter((a) => !a.startsWith('--'));
    const unsupported = flags.find((f) => f !== '--nodeps' || (command !== 'apply' && command !== 'load'));
    if (unsupported) {
      this.stderr(`Unsupported flag: ${unsupported}.\n`);
      throw new Failed(errno('EINVAL'));
    }
    const nodeps = flags.includes('--nodeps');
    switch (command) {
      case 'help':
        return this.stderr(help);
      case 'list':
        return this.expect(positional, 0, () => this.list());
      case 'upload':
        return this.expect(positional, 2, () => this.upload(positional[0], positional[1]));
      case 'load':
        return this.expect(positional, 1, () => this.load(positional[0], nodeps));
      default:
        return this.expect(positional, 1, () => this.action(command, positional[0], nodeps));
    }
  }

  private expect(args: string[], count: number, run: () => void): void {
    if (args.length !== count) {
      this.stderr(help);
      throw new Failed(0);
    }
    run();
  }

  private checkName(name: string): void {
    if (name.length <= nameSize) return;
    this.stderr(`ID must be no more than ${nameSize} characters.\n`);
    throw new Failed(errno('EINVAL'));
  }

  private list(): void {
    const { payloads } = this.xen.list();
    if (!payloads.length) return this.stdout('Nothing to list\n');
    this.stdout(' ID                                     | status     | metadata\n----------------------------------------+------------+---------------\n');
    for (const p of payloads) {
      const status = p.rc ? ` (${-p.rc}, ${strerror(-p.rc)})` : '';
      const metadata = p.metadata
        .subarray(0, Math.max(0, p.metadata.length - 1))
        .toString('latin1')
        .replace(/\0/g, ';');
      this.stdout(`${p.name.slice(0, nameSize).padEnd(40)}| ${stateName(p.state)}${status}    | ${metadata}\n`);
    }
  }

  private upload(name: string, file: string): void {
    this.checkName(name);
    let bytes: Uint8Array;
    try {
      bytes = (this.options.readFile ?? readFileSync)(file);
    } catch (error) {
      const code = errnoOfFsError(error);
      this.stderr(`Could not open ${file}.\nError ${code}: ${strerror(code)}\n`);
      throw new Failed(code);
    }
    this.stdout(`Uploading ${file}... `);
    const rc = this.xen.upload(name, bytes);
    if (rc) {
      this.stdout('failed\n');
      this.stderr(`Error ${-rc}: ${strerror(-rc)}\n`);
      throw new Failed(-rc);
    }
    this.stdout('completed\n');
  }

  /** Upload under the file's base name, then apply; a failed apply unloads it again. */
  private load(file: string, nodeps: boolean): void {
    const name = path.basename(file).replace(/\.[^.]*$/, '');
    this.upload(name, file);
    try {
      this.action('apply', name, nodeps);
    } catch (error) {
      if (error instanceof Failed) {
        try {
          this.action('unload', name, false);
        } catch (unloadError) {
          if (!(unloadError instanceof Failed)) throw unloadError;
        }
      }
      throw error;
    }
  }

  private action(command: LivepatchAction, name: string, nodeps: boolean): void {
    this.checkName(name);
    const spec = actions[command];
    const before = this.xen.get(name);
    if (!before.status) {
      this.stderr(`Failed to get status of ${name}.\nError ${-before.rc}: ${strerror(-before.rc)}\n`);
      throw new Failed(-before.rc);
    }
    if (before.status.rc === -errno('EAGAIN')) {
      this.stderr(`Cannot execute ${command}.\nOperation already in progress.\n`);
      throw new Failed(errno('EAGAIN'));
    }
    if (before.status.state === spec.expected) return this.stdout('No action needed.\n');
    if (!(spec.allow & before.status.state)) {
      this.stderr(`${name} is in the wrong state.\nCurrent state: ${stateName(before.status.state)}\nExpected state: ${stateName(spec.allow)}\n`);
      throw new Failed(errno('EINVAL'));
    }
    this.stdout(`${spec.verb} ${name}... `);
    const rc = this.xen.action(name, command, { nodeps });
    if (rc) {
      this.stdout('failed\n');
      this.stderr(`Error ${-rc}: ${strerror(-rc)}\n`);
      throw new Failed(-rc);
    }
    if (this.options.idleLoopRuns !== false && !this.xen.panicked) this.xen.idle();
    this.finish(name, spec);
  }

  /** The status after the wait: done, still pending, failed, or in an unexpected state. */
  private finish(name: string, spec: ActionSpec): void {
    const after = this.xen.get(name);
    const rc = after.status ? after.status.rc || after.status.state : after.rc;
    if (rc === -errno('EAGAIN')) {
      this.stdout('failed\n');
      this.stderr("Operation didn't complete.\n");
      throw new Failed(errno('EAGAIN'));
    }
    if (rc === spec.expected) return this.stdout('completed\n');
    this.stdout('failed\n');
    if (rc < 0) this.stderr(`Error ${-rc}: ${strerror(-rc)}\n`);
    else this.stderr(`${name} is in the wrong state.\nCurrent state: ${stateName(rc)}\nExpected state: ${stateName(spec.expected)}\n`);
    throw new Failed(rc < 0 ? -rc : errno('EINVAL'));
  }
}

function errnoOfFsError(error: unknown): number {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? errno('ENOENT') : code === 'EACCES' ? errno('EACCES') : errno('EINVAL');
}

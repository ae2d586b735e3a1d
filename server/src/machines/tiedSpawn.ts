import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

// util-linux's setpriv sets the child's parent-death signal before it execs the command.
const SETPRIV = '/usr/bin/setpriv';

/**
 * Spawns a child that the kernel kills when this process dies, however it dies. An `exit`
 * listener covers only a normal exit: a test file the runner kills on its timeout, or a CLI
 * stopped with SIGTERM, left its QEMU running for good (40 of them were seen at once, half of
 * them still taking CPU). Without setpriv, the exit listeners are all there is.
 */
export function spawnTiedToThisProcess(command: string, args: string[]): ChildProcessWithoutNullStreams {
  tied ??= process.platform === 'linux' && existsSync(SETPRIV);
  const [file, argv] = tied ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
  return spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
}

let tied: boolean | undefined;

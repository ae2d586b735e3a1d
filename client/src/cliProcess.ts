import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Ctx } from './ctx';

/**
 * `node dist/cli.js ARGS` as a child of the extension host: Run Scenario and the real-machine
 * runner both run the CLI this way, so the editor gives the transcript the terminal would.
 * stdin is closed: every caller passes its scenario as `--script`. `detached` puts the child in
 * its own process group, for callers that cancel the whole group (the CLI and its QEMU).
 */
export function spawnCli(ctx: Ctx, args: string[], options: { cwd: string; detached?: boolean }) {
  return spawn(process.execPath, [ctx.extension.asAbsolutePath(path.join('dist', 'cli.js')), ...args], {
    ...options,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

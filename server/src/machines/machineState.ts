import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MachineError } from './machineError';
import { pollUntil } from './pollUntil';
import { Qmp } from './qmp';

/** A machine's memory and devices in a file (QEMU's migration stream), for a new QEMU to start from. */
export interface SavedState {
  file: string;
  /** Removes the file (also done when the process exits). */
  dispose(): void;
}

/** Migration's default bandwidth cap (128 MiB/s) is for a network; a local file takes what comes. */
const unlimited = 1 << 30;

/**
 * The running machine saved: paused, migrated over a unix socket into a file we write (so the
 * file is whole when our stream ends, not when QEMU's side thinks it is), then resumed.
 */
export async function saveState(qmp: Qmp, timeoutMs = 120_000): Promise<SavedState> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'll-state-'));
  const dispose = () => {
    process.removeListener('exit', dispose);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', dispose);
  const file = path.join(dir, 'state');
  const socket = path.join(dir, 'migrate.sock');
  const server = net.createServer();
  const written = new Promise<void>((resolve, reject) => {
    server.once('connection', (connection) => {
      server.close();
      const out = createWriteStream(file);
      connection.on('error', reject);
      out.on('error', reject);
      out.on('finish', () => resolve());
      connection.pipe(out);
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, resolve));
  await qmp.execute('stop');
  try {
    await qmp.execute('migrate-set-parameters', { 'max-bandwidth': unlimited });
    await qmp.execute('migrate', { uri: `unix:${socket}` });
    await pollUntil(
      timeoutMs,
      async () => {
        const { status, 'error-desc': why } = (await qmp.execute('query-migrate')) as { status?: string; 'error-desc'?: string };
        if (status === 'completed') return true;
        if (status === 'failed' || status === 'cancelled') throw new MachineError(`saving the machine's state ${status}${why ? `: ${why}` : ''}`);
        return undefined;
      },
      () => new MachineError(`saving the machine's state took more than ${timeoutMs} ms`),
    );
    await written;
  } catch (error) {
    server.close();
    dispose();
    throw error;
  } finally {
    await qmp.execute('cont');
  }
  return { file, dispose };
}

/** QEMU's arguments that start it from a saved state instead of booting: the guest runs once the stream is read. */
export function incomingArgs(state: Pick<SavedState, 'file'>): string[] {
  return ['-incoming', `exec:cat '${state.file.replaceAll("'", "'\\''")}'`];
}

/**
 * Waits until a QEMU started with incomingArgs() has read its state, and runs the guest: it was
 * saved paused (saveState stops it first), so it comes in paused.
 */
export async function waitRunning(qmp: Qmp, timeoutMs: number): Promise<void> {
  await pollUntil(
    timeoutMs,
    async () => {
      for (;;) {
        const { status } = (await qmp.execute('query-status')) as { status: string };
        if (status === 'running') return true;
        if (status === 'paused') {
          await qmp.execute('cont');
          continue;
        }
        if (status !== 'inmigrate' && status !== 'prelaunch') throw new MachineError(`the machine did not resume from its saved state: QEMU says ${status}`);
        return undefined;
      }
    },
    () => new MachineError(`the machine did not resume from its saved state within ${timeoutMs} ms`),
  );
}

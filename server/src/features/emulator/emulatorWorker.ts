// Worker-thread entry for the emulator session: started by emulatorWorkerClient.ts, never imported.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { commandLine, XenSession } from '../../emulator/xen';
import { configureLimits } from '../../limits';
import type { EmulatorReply, EmulatorRequest, EmulatorWorkerData } from './emulatorProtocol';
import { emulatorSnapshot } from './snapshot';

if (!isMainThread && parentPort) {
  const port = parentPort;
  configureLimits((workerData as EmulatorWorkerData).limits);
  let session: XenSession | undefined;
  // Commands arrive in order and run one by one: each is synchronous, a guest run included.
  port.on('message', ({ id, target, argv }: EmulatorRequest) => {
    let reply: EmulatorReply;
    try {
      session ??= new XenSession({ target });
      const { command, ...result } = session.run(argv);
      reply = { id, result: { commandLine: commandLine(command), ...result }, state: emulatorSnapshot(session) };
    } catch (error) {
      reply = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    port.postMessage(reply);
  });
}

// Worker-thread entry for the emulator sessions: started by emulatorWorkerClient.ts, never imported.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { EmulatorSession } from '../../emulator/session';
import { runtimeFactory } from '../../emulator/runtimes';
import { unbootedState } from '../../emulator/state';
import { EmulatorError } from '../../emulator/faults';
import { configureLimits } from '../../limits';
import type { RuntimeName } from '../../protocol';
import { commandLine } from '../../scenario/dialect';
import { commandFromWords } from '../../scenario/parse';
import type { EmulatorReply, EmulatorRequest, EmulatorWorkerData } from './emulatorProtocol';

if (!isMainThread && parentPort) {
  const port = parentPort;
  configureLimits((workerData as EmulatorWorkerData).limits);
  // One session per runtime: a Linux command does not cost the hypervisor its payloads.
  const sessions = new Map<RuntimeName, EmulatorSession>();
  // Commands arrive in order and run one by one: each is synchronous, a guest run included.
  port.on('message', ({ id, target, argv, runtime = 'xen', redirect, text, baseDir }: EmulatorRequest) => {
    let reply: EmulatorReply;
    const command = { ...commandFromWords(argv, 'lsp'), ...(redirect ? { redirect } : {}), ...(text ? { text } : {}) };
    try {
      let session = sessions.get(runtime);
      if (!session) sessions.set(runtime, (session = new EmulatorSession(runtimeFactory(runtime), { target })));
      const { stdout, stderr, exitCode, log, call } = session.run(command, baseDir);
      reply = { id, result: { commandLine: commandLine(command, runtime), stdout, stderr, exitCode, console: log, ...(call ? { call } : {}) }, state: session.state() };
    } catch (error) {
      reply =
        error instanceof EmulatorError
          ? {
              id,
              result: { commandLine: commandLine(command, runtime), exitCode: 2, stdout: '', stderr: `${error.message}\n`, console: [] },
              state: unbootedState(runtime, target),
            }
          : { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    port.postMessage(reply);
  });
}

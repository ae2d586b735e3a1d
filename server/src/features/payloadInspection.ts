import { Connection } from 'vscode-languageserver';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { docsUrl, type Finding } from '../checks';
import { limits, settingToRaise } from '../limits';
import type { PayloadView } from '../payload';
import { ClosePayloadParams, closePayloadNotification, InspectPayloadParams, inspectPayloadRequest, InspectPayloadResult, payloadInspectionChangedNotification } from '../protocol';
import type { SharedTarget } from '../target';
import { guarded } from './guard';
import { toLspDiagnostic } from './lspDiagnostics';
import type { InspectionReply, InspectionRequest } from './payloadInspectionProtocol';
import { TargetService } from './targetService';

/** server/out/features/payloadInspectionWorker.js from tsc, dist/payloadInspectionWorker.js from esbuild: beside this code. */
const workerFile = path.join(__dirname, 'payloadInspectionWorker.js');

/**
 * Decoding and checking a payload reads the whole file and walks its sections, relocations and
 * DWARF: seconds for a big or hostile one. It runs in a worker of its own, over the target index
 * the main thread shares, and is stopped at `analysisTimeoutMs` like a document's analysis.
 */
export function inspectInWorker(file: string, target: SharedTarget | undefined): Promise<{ view: PayloadView; findings: Finding[] }> {
  return new Promise((resolve, reject) => {
    const workerData: InspectionRequest = { file, ...(target ? { target } : {}), limits: { ...limits() } };
    const worker = new Worker(workerFile, { workerData });
    const afterMs = limits().analysisTimeoutMs;
    const timeout = setTimeout(() => {
      reject(new Error(`inspecting ${file} took more than ${afterMs} ms and was stopped; ${settingToRaise('analysisTimeoutMs')} to give it longer`));
      void worker.terminate();
    }, afterMs);
    const settle = (action: () => void) => {
      clearTimeout(timeout);
      action();
    };
    worker.once('message', (reply: InspectionReply) => settle(() => (reply.type === 'inspected' ? resolve(reply) : reject(new Error(reply.message)))));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the payload inspection worker for ${file} exited with code ${code}`))));
  });
}

/**
 * The payload inspector's server side: decodes and checks a payload file from disk (payloads
 * are binary, so never open as text documents), publishes the findings for its URI so they
 * show in the Problems panel, and answers with the view the webview renders.
 */
export function registerPayloadInspection(connection: Connection, target: TargetService, onClosed: (uri: string) => void): void {
  const inspected = new Set<string>();

  const inspect = async (uri: string): Promise<InspectPayloadResult> => {
    const state = target.state;
    const { view, findings } = await inspectInWorker(fileURLToPath(uri), state.state === 'ready' ? state.shared : undefined);
    inspected.add(uri);
    void connection.sendDiagnostics({ uri, diagnostics: findings.map(toLspDiagnostic) });
    return {
      view,
      diagnostics: findings.map((f) => {
        const docs = docsUrl(f.code);
        return { code: f.code, severity: f.severity, message: f.message, ...(f.where ? { where: f.where } : {}), ...(docs ? { docsUrl: docs } : {}) };
      }),
      target: {
        state: state.state,
        ...('path' in state ? { path: state.path } : {}),
        ...(state.state === 'failed' || state.state === 'none' ? { detail: state.reason } : {}),
      },
    };
  };

  connection.onRequest(
    inspectPayloadRequest,
    guarded(connection, 'inspectPayload', null, (params: InspectPayloadParams) => inspect(params.uri)),
  );

  connection.onNotification(closePayloadNotification, (params: ClosePayloadParams) => {
    inspected.delete(params.uri);
    void connection.sendDiagnostics({ uri: params.uri, diagnostics: [] });
    onClosed(params.uri);
  });

  // Target-dependent checks change once the target is indexed: let open inspectors ask again.
  target.onDidChange((state) => {
    if (state.state !== 'ready' && state.state !== 'failed') return;
    for (const uri of inspected) void connection.sendNotification(payloadInspectionChangedNotification, { uri });
  });
}

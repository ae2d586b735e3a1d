import { Connection } from 'vscode-languageserver';
import { fileURLToPath } from 'node:url';
import { docsUrl } from '../checks';
import { analyzePayloadFile } from '../checks/payload';
import { payloadView } from '../payload';
import { ClosePayloadParams, closePayloadNotification, InspectPayloadParams, inspectPayloadRequest, InspectPayloadResult, payloadInspectionChangedNotification } from '../protocol';
import { guarded } from './guard';
import { toLspDiagnostic } from './lspDiagnostics';
import { TargetService } from './targetService';

/**
 * The payload inspector's server side: decodes and checks a payload file from disk (payloads
 * are binary, so never open as text documents), publishes the findings for its URI so they
 * show in the Problems panel, and answers with the view the webview renders.
 */
export function registerPayloadInspection(connection: Connection, target: TargetService): void {
  const inspected = new Set<string>();

  const inspect = (uri: string): InspectPayloadResult => {
    const state = target.state;
    const index = state.state === 'ready' ? state.index : undefined;
    const { opened, findings } = analyzePayloadFile(fileURLToPath(uri), index ? { target: index } : {});
    inspected.add(uri);
    void connection.sendDiagnostics({ uri, diagnostics: findings.map(toLspDiagnostic) });
    return {
      view: payloadView(opened, index),
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
  });

  // Target-dependent checks change once the target is indexed: let open inspectors ask again.
  target.onDidChange((state) => {
    if (state.state !== 'ready' && state.state !== 'failed') return;
    for (const uri of inspected) void connection.sendNotification(payloadInspectionChangedNotification, { uri });
  });
}

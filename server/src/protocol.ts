// Every custom request and notification between the client and the language server: the
// names and the shapes, imported by both sides (the client imports types only).
import type { PayloadView } from './payload/present/payloadView';

export type { PayloadView, FunctionView, ChainLink } from './payload/present/payloadView';

/** Client -> server: decode and check a payload file; the server also publishes its diagnostics. */
export const inspectPayloadRequest = 'livepatch/inspectPayload';
export interface InspectPayloadParams {
  /** file: URI of the payload (.livepatch, .ko, .o). */
  uri: string;
}
export interface InspectPayloadResult {
  view: PayloadView;
  diagnostics: DiagnosticView[];
  /** The target the checks ran against, or why there is none yet. */
  target: { path?: string; state: 'none' | 'loading' | 'ready' | 'failed'; detail?: string };
}

/** A diagnostic as the inspector lists it, with its docs page. */
export interface DiagnosticView {
  code: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  where?: string;
  docsUrl?: string;
}

/** Client -> server: the inspector for this payload closed; its diagnostics go away. */
export const closePayloadNotification = 'livepatch/closePayload';
export interface ClosePayloadParams {
  uri: string;
}

/** Server -> client: a payload's inspection changed (the target finished loading); ask again. */
export const payloadInspectionChangedNotification = 'livepatch/payloadInspectionChanged';
export interface PayloadInspectionChangedParams {
  uri: string;
}

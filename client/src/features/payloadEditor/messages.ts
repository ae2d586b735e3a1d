import type { InspectPayloadResult } from '../../../../server/src/protocol';

/** Host -> webview. */
export type ToWebview = { type: 'inspection'; result: InspectPayloadResult } | { type: 'error'; message: string };

/** Webview -> host. */
export type FromWebview = { type: 'ready' } | { type: 'openDocs'; url: string } | { type: 'refresh' };

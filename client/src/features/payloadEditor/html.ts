import { escapeHtml } from '../../webview/page';

/** The inspector's body: a live region the page's script fills with the inspection it is posted. */
export const inspectorBody = (title: string): string => `<main id="inspector" aria-live="polite"><p class="status">Reading ${escapeHtml(title)}…</p></main>`;

import { randomBytes } from 'node:crypto';

/** What the inspector page needs from the host: the webview's CSP source and the asset URIs. */
export interface PageAssets {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  title: string;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The inspector's HTML shell. Nothing is inline: scripts only with the nonce, styles only from
 * the extension's media folder, no remote content; the script renders the data it is posted.
 */
export function inspectorHtml(assets: PageAssets): string {
  const csp = [`default-src 'none'`, `style-src ${assets.cspSource}`, `script-src 'nonce-${assets.nonce}'`, `img-src ${assets.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(assets.styleUri)}">
<title>${escapeHtml(assets.title)}</title>
</head>
<body>
<main id="inspector" aria-live="polite"><p class="status">Reading ${escapeHtml(assets.title)}…</p></main>
<script nonce="${escapeHtml(assets.nonce)}" src="${escapeHtml(assets.scriptUri)}"></script>
</body>
</html>`;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * 32 characters from [A-Za-z0-9], fresh for every page, from the operating system's CSPRNG: a
 * nonce a page's content could predict would let injected markup run scripts.
 */
export function makeNonce(): string {
  let nonce = '';
  while (nonce.length < 32) {
    // Bytes past the last whole multiple of 62 are dropped, so every character is equally likely.
    for (const byte of randomBytes(48)) if (byte < 248 && nonce.length < 32) nonce += alphabet[byte % alphabet.length];
  }
  return nonce;
}

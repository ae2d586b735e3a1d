import { randomBytes } from 'node:crypto';

// No `vscode` import here: unit tests load this file in plain Node.

/** A webview page's shell: its assets as webview URIs, the CSP source, a fresh nonce. */
export interface PageAssets {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  title: string;
}

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The HTML of every webview of the extension (the payload inspector, future panels). Nothing is
 * inline: scripts only with the nonce, styles only from the extension's media folder, no remote
 * content; the page's script renders what the host posts it. `body` is trusted markup.
 */
export function webviewPage(assets: PageAssets, body: string): string {
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
${body}
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

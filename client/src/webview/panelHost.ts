import * as vscode from 'vscode';
import { makeNonce, webviewPage } from './page';

/** A webview whose messages are typed both ways: ToWebview host -> page, FromWebview page -> host. */
export interface TypedWebview<ToWebview, FromWebview> {
  post(message: ToWebview): void;
  onMessage(handler: (message: FromWebview) => void): vscode.Disposable;
}

/**
 * Sets up a webview of the extension: scripts on, resources only from media/, the page shell
 * with its CSP and a fresh nonce, `media/<asset>.js` and `.css`; and the typed channel to it.
 */
export function hostPage<ToWebview, FromWebview>(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  page: { asset: string; title: string; body: string },
): TypedWebview<ToWebview, FromWebview> {
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  webview.options = { enableScripts: true, localResourceRoots: [media] };
  webview.html = webviewPage(
    {
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, `${page.asset}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, `${page.asset}.css`)).toString(),
      nonce: makeNonce(),
      title: page.title,
    },
    page.body,
  );
  return {
    post: (message) => void webview.postMessage(message),
    onMessage: (handler) => webview.onDidReceiveMessage((message: FromWebview) => handler(message)),
  };
}

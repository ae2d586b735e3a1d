import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspectorBody } from '../../../../client/out/features/payloadEditor/html';
import { makeNonce, webviewPage } from '../../../../client/out/webview/page';
import { fromRoot } from '../../support/paths';

const assets = {
  cspSource: 'https://webview.example',
  scriptUri: 'https://webview.example/media/payloadInspector.js',
  styleUri: 'https://webview.example/media/payloadInspector.css',
  nonce: makeNonce(),
  title: 'a<b>.livepatch',
};

test('the inspector page has a strict CSP: nothing by default, scripts only with the nonce, styles only from the webview source', () => {
  const html = webviewPage(assets, inspectorBody(assets.title));
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1].replace(/&#39;/g, "'");
  assert.ok(csp);
  const directives = new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), [`'nonce-${assets.nonce}'`]);
  assert.deepEqual(directives.get('style-src'), [assets.cspSource]);
  const scripts = [...html.matchAll(/<script([^>]*)>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0][1], new RegExp(`nonce="${assets.nonce}"`));
  assert.doesNotMatch(html, /<style|\sstyle="|\son\w+="/, 'no inline styles or handlers');
  assert.ok(!html.includes('a<b>'), 'the title is escaped');
});

test('nonces are 32 alphanumerics and differ between pages', () => {
  const a = makeNonce();
  assert.match(a, /^[A-Za-z0-9]{32}$/);
  assert.notEqual(a, makeNonce());
});

test('the webview script renders payload strings as text, never as markup', () => {
  const script = readFileSync(fromRoot('media', 'payloadInspector.js'), 'utf8');
  assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  assert.match(script, /acquireVsCodeApi\(\)/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { checkOpenedPayload } from '../../../../server/out/checks/payload';
import { docsUrl } from '../../../../server/out/checks';
import { openPayload, payloadView } from '../../../../server/out/payload';
import { fromRoot } from '../../support/paths';
import { buildSamples } from '../samples/binutils';
import { xenSample } from './payloadBytes';

/** Just enough DOM for the inspector script: elements with children, attributes and text. */
class FakeNode {
  children: FakeNode[] = [];
  attributes: Record<string, string> = {};
  listeners: Record<string, (event: unknown) => void> = {};
  constructor(
    readonly tag: string,
    readonly text = '',
  ) {}
  append(...nodes: FakeNode[]) {
    this.children.push(...nodes);
  }
  replaceChildren(...nodes: FakeNode[]) {
    this.children = nodes;
  }
  setAttribute(name: string, value: string) {
    this.attributes[name] = value;
  }
  addEventListener(type: string, listener: (event: unknown) => void) {
    this.listeners[type] = listener;
  }
  get textContent(): string {
    return this.text + this.children.map((c) => c.textContent).join('');
  }
  all(tag: string): FakeNode[] {
    return [...(this.tag === tag ? [this as FakeNode] : []), ...this.children.flatMap((c) => c.all(tag))];
  }
  byId(id: string): FakeNode | undefined {
    return this.attributes.id === id ? this : this.children.map((c) => c.byId(id)).find(Boolean);
  }
}

function runInspectorScript() {
  const root = new FakeNode('main');
  const posted: unknown[] = [];
  let onMessage: (event: { data: unknown }) => void = () => {};
  runInNewContext(readFileSync(fromRoot('media', 'payloadInspector.js'), 'utf8'), {
    // postMessage clones, as the real one does (and the script runs in another realm).
    acquireVsCodeApi: () => ({ postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))) }),
    document: { getElementById: () => root, createElement: (tag: string) => new FakeNode(tag), createTextNode: (text: string) => new FakeNode('#text', text) },
    window: { addEventListener: (_: string, listener: typeof onMessage) => (onMessage = listener) },
  });
  return { root, posted, send: (data: unknown) => onMessage({ data }) };
}

test('the webview renders an inspection: functions, chain, hooks, sections and linked diagnostics', () => {
  buildSamples();
  const opened = openPayload(xenSample('xen_prepost_hooks'));
  const findings = checkOpenedPayload(opened);
  const view = payloadView(opened);
  const { root, posted, send } = runInspectorScript();
  assert.deepEqual(posted, [{ type: 'ready' }], 'the page asks for its data once loaded');
  send({
    type: 'inspection',
    result: {
      view,
      diagnostics: findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, where: f.where, docsUrl: docsUrl(f.code) })),
      target: { state: 'none', detail: 'no target' },
    },
  });
  const rows = (id: string) =>
    root
      .byId(id)!
      .all('tbody')[0]
      .all('tr')
      .map((tr) => tr.all('td').map((td) => td.textContent));
  assert.deepEqual(
    rows('functions').map((r) => r.slice(0, 4)),
    view.functions.map((f) => [f.where, f.oldName, f.old, f.new]),
  );
  assert.deepEqual(
    rows('hooks').map((r) => r[0]),
    ['preapply', 'postapply', 'prerevert', 'postrevert'],
  );
  assert.deepEqual(
    rows('sections').map((r) => r[1]),
    view.sections.map((s) => s.name),
  );
  assert.equal(root.byId('chain')!.all('li').length, view.chain.length);
  const links = root.byId('diagnostics')!.all('a');
  assert.deepEqual(
    links.map((a) => a.textContent),
    ['LP317'],
  );
  links[0].listeners.click({ preventDefault() {} });
  assert.deepEqual(posted[1], { type: 'openDocs', url: docsUrl('LP317') }, 'the code links to its docs page');
});

test('the webview shows an error message when the host sends one', () => {
  const { root, send } = runInspectorScript();
  send({ type: 'error', message: 'server not running' });
  assert.equal(root.textContent, 'server not running');
});

import * as vscode from 'vscode';
import { hostPage, TypedWebview } from '../../webview/panelHost';
import type { EmulatorModel } from './model';
import { PanelContent, panelContent } from './panelContent';
import type { FromPanel, PanelAction, RenderedPanel, ToPanel } from './panelMessages';

const viewType = 'livepatch.emulatorPanel';

/** The page's body: live regions its script fills with what the host posts. */
const body = `<main id="panel" aria-live="polite"><p class="status">Waiting for the emulator…</p></main>`;

/**
 * The emulator panel: a webview with the session's event log and, for the Linux runtime, the
 * transition task by task. Its content is panelContent() of the model, posted on every change
 * the tree sees too; the page renders it and says back what it drew, which is when the refresh
 * counts as done (the figure the README quotes).
 */
export class EmulatorPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private page: TypedWebview<ToPanel, FromPanel> | undefined;
  private posted = '';
  private seq = 0;
  /** When the model change behind each content not yet drawn came. */
  private readonly since = new Map<number, number>();
  /** Milliseconds from a session change to the page having drawn it, the last 1000. */
  readonly refreshMs: number[] = [];
  /** What the page last said it drew. */
  rendered: (RenderedPanel & { seq: number }) | undefined;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly model: EmulatorModel,
    private readonly run: (action: PanelAction) => unknown,
  ) {
    this.subscription = model.onDidChange(() => this.refresh());
  }

  get visible(): boolean {
    return this.panel?.visible ?? false;
  }

  /** The content the page was last sent. */
  get content(): PanelContent | undefined {
    return this.posted ? (JSON.parse(this.posted) as PanelContent) : undefined;
  }

  show(): void {
    if (this.panel) return this.panel.reveal(undefined, true);
    const panel = vscode.window.createWebviewPanel(viewType, 'Livepatch Emulator', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    const page = hostPage<ToPanel, FromPanel>(panel.webview, this.extensionUri, { asset: 'emulatorPanel', title: 'Livepatch Emulator', body });
    this.panel = panel;
    this.page = page;
    const listening = page.onMessage((message) => this.receive(message));
    panel.onDidDispose(() => {
      listening.dispose();
      this.panel = this.page = undefined;
      this.posted = '';
      this.since.clear();
    });
  }

  private receive(message: FromPanel): void {
    if (message.type === 'ready') {
      // A page (re)loaded, after being hidden too: it has nothing until it is sent everything.
      this.posted = '';
      this.refresh();
    } else if (message.type === 'rendered') {
      this.rendered = { seq: message.seq, taskRows: message.taskRows, events: message.events, transition: message.transition };
      const since = this.since.get(message.seq);
      for (const seq of this.since.keys()) if (seq <= message.seq) this.since.delete(seq);
      if (since !== undefined) {
        this.refreshMs.push(performance.now() - since);
        if (this.refreshMs.length > 1000) this.refreshMs.shift();
      }
    } else if (message.type === 'action') {
      void this.run(message.action === 'force' ? { action: 'force', patch: message.patch } : { action: 'reset', runtime: message.runtime });
    }
  }

  /** Posts the model's content unless the page has it already: a command that changed nothing sends nothing. */
  refresh(): void {
    if (!this.page) return;
    const started = performance.now();
    const content = panelContent(this.model, vscode.workspace.isTrusted);
    const text = JSON.stringify(content);
    if (text === this.posted) return;
    this.posted = text;
    const seq = ++this.seq;
    this.since.set(seq, started);
    this.page.post({ type: 'content', seq, content });
  }

  dispose(): void {
    this.subscription.dispose();
    this.panel?.dispose();
  }
}

import * as vscode from 'vscode';
import type { EmulatorModel } from './model';
import { ViewNode, viewNodes } from './viewNodes';

/** A node as the tests read it back from the provider: what VS Code shows of it. */
export interface ShownNode {
  id: string;
  label: string;
  description: string;
  contextValue: string;
  children: ShownNode[];
}

/**
 * The Livepatch view's tree: rebuilt from the model on every change (it is small), with stable
 * ids so expansion survives. Records how long a change took to reach VS Code's next read of
 * the root, the figure the README quotes.
 */
export class LivepatchTree implements vscode.TreeDataProvider<ViewNode> {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: ViewNode[] = [];
  private shown = '';
  private pendingSince: number | undefined;
  /** Milliseconds from each model change to VS Code asking for the new root (while the view is visible), the last 100. */
  readonly refreshMs: number[] = [];

  constructor(private readonly model: EmulatorModel) {
    this.rebuild();
  }

  rebuild(): void {
    const roots = viewNodes(this.model, vscode.workspace.isTrusted);
    // A command that changed nothing (list, a call) must not refresh: VS Code holds back any
    // refresh that follows another within 200 ms, so a needless one delays the next real one.
    const shown = JSON.stringify(roots);
    if (shown === this.shown) return;
    this.shown = shown;
    this.roots = roots;
    // The model calls this synchronously from the notification handler: the clock starts at its arrival.
    this.pendingSince = performance.now();
    this.changed.fire(undefined);
  }

  getTreeItem(element: ViewNode): vscode.TreeItem {
    const state = element.children.length
      ? element.expanded
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed
      : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(element.label, state);
    item.id = element.id;
    item.description = element.description;
    item.tooltip = element.tooltip;
    item.contextValue = element.contextValue;
    if (element.icon) item.iconPath = new vscode.ThemeIcon(element.icon, element.iconColor ? new vscode.ThemeColor(element.iconColor) : undefined);
    if (element.command) item.command = element.command;
    return item;
  }

  getChildren(element?: ViewNode): ViewNode[] {
    if (element) return element.children;
    if (this.pendingSince !== undefined) {
      this.refreshMs.push(performance.now() - this.pendingSince);
      if (this.refreshMs.length > 100) this.refreshMs.shift();
      this.pendingSince = undefined;
    }
    return this.roots;
  }

  /** The element with this id (what VS Code hands a command run from its item). */
  element(id: string, nodes = this.roots): ViewNode | undefined {
    for (const node of nodes) {
      const found = node.id === id ? node : this.element(id, node.children);
      if (found) return found;
    }
    return undefined;
  }

  /** The whole tree through the provider's own methods, as VS Code would read it. */
  snapshot(element?: ViewNode): ShownNode[] {
    const children = element ? this.getChildren(element) : this.roots;
    return children.map((child) => {
      const item = this.getTreeItem(child);
      return {
        id: child.id,
        label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''),
        description: String(item.description ?? ''),
        contextValue: item.contextValue ?? '',
        children: this.snapshot(child),
      };
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}

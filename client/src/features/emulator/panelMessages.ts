import type { PanelContent } from './panelContent';

/** Host -> page: the content to render; `seq` comes back in `rendered`. */
export type ToPanel = { type: 'content'; seq: number; content: PanelContent };

/** What the page drew, read back from its DOM: the end-to-end tests assert on it. */
export interface RenderedPanel {
  /** One line a task row of the transition picture: `comm pid universe[ pending][ blocked in FUNCTION]`. */
  taskRows: string[];
  /** The header of each event: its command line. */
  events: string[];
  /** The transition's heading, '' without one. */
  transition: string;
}

/** The verbs the page's buttons may ask for; the host runs nothing else. */
export type PanelAction = { action: 'force'; patch: string } | { action: 'reset'; runtime: 'xen' | 'linux' };

/** Page -> host. */
export type FromPanel = { type: 'ready' } | ({ type: 'rendered'; seq: number } & RenderedPanel) | ({ type: 'action' } & PanelAction);

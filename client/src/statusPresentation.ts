import type { ServerState } from './ctx';

// No `vscode` import here: unit tests load this file in plain Node.
export interface StatusPresentation {
  text: string;
  tooltip: string;
  error: boolean;
}

export function presentStatus(state: ServerState, error: string | undefined): StatusPresentation {
  switch (state) {
    case 'running':
      return { text: '$(check) Livepatch', tooltip: 'Livepatch Lens: language server running. Click for the output.', error: false };
    case 'starting':
      return { text: '$(sync~spin) Livepatch', tooltip: 'Livepatch Lens: language server starting…', error: false };
    case 'stopped':
      return { text: '$(error) Livepatch', tooltip: `Livepatch Lens: language server stopped${error ? ` (${error})` : ''}. Click for the output; run "Livepatch: Restart Language Server" to start it again.`, error: true };
  }
}


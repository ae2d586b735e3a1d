import * as vscode from 'vscode';

export const section = 'livepatch';

/** The settings the language server reads when it starts; changing one restarts it. */
export interface ServerSettings {
  target: string;
  sourceRoot: string;
}

export function serverSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration(section);
  return {
    target: config.get<string>('target', ''),
    sourceRoot: config.get<string>('sourceRoot', ''),
  };
}

export function affectsServerSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return (['target', 'sourceRoot'] satisfies (keyof ServerSettings)[]).some((key) => event.affectsConfiguration(`${section}.${key}`));
}

import * as vscode from 'vscode';
import type { Limits } from '../../server/src/limits';
import { limitsFromSettings } from './limitSettings';

export const section = 'livepatch';

/** The settings the language server reads when it starts; changing one restarts it. */
export interface ServerSettings {
  target: string;
  sourceRoot: string;
  kernelConfig: string;
  /** The `livepatch.limits.*` settings in the engine's units (bytes, milliseconds). */
  limits: Partial<Limits>;
}

export function serverSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration(section);
  return {
    target: config.get<string>('target', ''),
    sourceRoot: config.get<string>('sourceRoot', ''),
    kernelConfig: config.get<string>('kernelConfig', ''),
    limits: limitsFromSettings((setting) => config.get<unknown>(`limits.${setting}`)),
  };
}

export function affectsServerSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return (['target', 'sourceRoot', 'kernelConfig', 'limits'] satisfies (keyof ServerSettings)[]).some((key) => event.affectsConfiguration(`${section}.${key}`));
}

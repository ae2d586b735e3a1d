import { cpSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';

/** Of the samples' build tree only what works without gcc: the target and the payloads, as the .vsix ships them. */
const shippedBuild = /^build(\/target(\/sample-target)?|\/payloads(\/xen(\/[^/]+\.livepatch)?|\/klp(\/[^/]+\.ko)?)?)?$/;

export interface SampleWorkspaceOptions {
  /** Where the copy goes (its parent folder); else the user picks one. */
  parent?: string;
  /** Open the copy as the workspace (default); the tests leave it closed. */
  open?: boolean;
}

/**
 * Livepatch: Open Sample Workspace: the bundled samples (the target's sources and image, the
 * payload sources and prebuilt payloads, the patches, the scenarios) copied to a folder of the
 * user's as `livepatch-samples`, then opened: the walkthrough's first step, with nothing to build.
 * An existing copy is opened as it is, never overwritten.
 */
export async function openSampleWorkspace(ctx: Ctx, options: SampleWorkspaceOptions = {}): Promise<string | undefined> {
  let parent = options.parent;
  if (!parent) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Copy the samples here',
      title: 'Livepatch: where to put the sample workspace',
    });
    parent = picked?.[0]?.fsPath;
  }
  if (!parent) return undefined;
  const copy = path.join(parent, 'livepatch-samples');
  const samples = ctx.extension.asAbsolutePath('samples');
  if (!existsSync(copy)) {
    cpSync(samples, copy, {
      recursive: true,
      filter: (from) => {
        const relative = path.relative(samples, from).split(path.sep).join('/');
        return !relative.startsWith('build') || shippedBuild.test(relative);
      },
    });
  }
  if (options.open !== false) await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(copy), { forceNewWindow: false });
  return copy;
}

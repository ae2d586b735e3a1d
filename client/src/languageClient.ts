import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { ErrorHandler, LanguageClient, LanguageClientOptions, Middleware, ServerOptions } from 'vscode-languageclient/node';
import { workspaceCheckGlob } from '../../server/src/protocol';
import { section, ServerSettings } from './config';

/** What the context (ctx.ts) plugs into each client it makes. */
export interface ClientHooks {
  errorHandler: ErrorHandler;
  executeCommand: NonNullable<Middleware['executeCommand']>;
  /** Each server process, as it is started (the first time and after every restart). */
  onServerProcess(process: ChildProcess): void;
}

/** The extension host runs under a debugger: the server then waits for one too, as the language client does. */
const debugging = () => process.execArgv.some((arg) => /^--(inspect|debug)(-brk)?(=|$)/.test(arg));

export function createLanguageClient(context: vscode.ExtensionContext, outputChannel: vscode.LogOutputChannel, settings: ServerSettings, hooks: ClientHooks): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  // Started here rather than by the client so the context holds the process: its pid, and how it ended.
  const serverOptions: ServerOptions = () => {
    const args = [...(debugging() ? ['--nolazy', '--inspect=6019'] : []), module, '--stdio'];
    const server = spawn(process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'pipe' });
    hooks.onServerProcess(server);
    return Promise.resolve(server);
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'untitled', language: 'c' },
      { scheme: 'file', language: 'diff' },
      { scheme: 'file', language: 'livepatch-scenario' },
    ],
    // Check Workspace's findings follow the files on disk (server/src/features/workspaceCheck.ts).
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher(workspaceCheckGlob) },
    initializationOptions: settings,
    outputChannel,
    errorHandler: hooks.errorHandler,
    middleware: { executeCommand: hooks.executeCommand },
  };
  // The id equals the settings section, so `livepatch.trace.server` works without more code.
  return new LanguageClient(section, 'Livepatch Lens', serverOptions, clientOptions);
}

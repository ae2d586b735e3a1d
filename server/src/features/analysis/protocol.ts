import type { Diagnostic, DocumentSymbol } from 'vscode-languageserver';
import type { Limits } from '../../limits';
import type { SharedTarget } from '../../target';
import type { PatchedSitesData } from './patchedSites';

/** What the analysis worker is started with (its workerData). */
export interface AnalysisWorkerData {
  limits: Limits;
  /**
   * Int32 slot the main thread sets to the id of a job it no longer wants: the worker reads it
   * while parsing and between phases, so a superseded job stops without the worker being killed.
   */
  cancel: SharedArrayBuffer;
  /** The worker thread's nice value: above 0 for work no request waits for. */
  niceness: number;
}

/** One version of one open document to analyse. */
export interface AnalysisJob {
  id: number;
  uri: string;
  version: number;
  language: 'c' | 'diff';
  text: string;
  /** The path findings name (the URI's file path). */
  file: string;
  sourceRoot: string;
  /** The workspace folders' paths: messages name files under them relative to them. */
  workspaceRoots: string[];
  targetName?: string;
  /** The kernel configuration `CONFIG_*` conditions are evaluated with (kernelConfigPath), if any. */
  kernelConfig?: string;
}

export type WorkerRequest =
  | { type: 'analyze'; job: AnalysisJob }
  /** The target the main thread has indexed: the worker opens the same index over the same memory. */
  | { type: 'target'; target: SharedTarget }
  | { type: 'close'; uri: string };

/** What the editor shows for one version: everything plain data, cheap to copy between threads. */
export interface AnalysisResult {
  diagnostics: Diagnostic[];
  symbols: DocumentSymbol[];
  sites: PatchedSitesData;
}

export type WorkerReply =
  | { type: 'analyzed'; id: number; result: AnalysisResult }
  | { type: 'cancelled'; id: number }
  /** A check threw: the job failed, the worker is fine. */
  | { type: 'failed'; id: number; message: string }
  | { type: 'target'; path: string; error?: string };

import { commandFromWords } from '../../scenario/parse';
import { EmulatorSession, EmulatorSessionOptions } from '../session';
import type { CallReport } from '../sessionCall';
import { xenRuntimeFactory } from './xenRuntime';
import type { ToolResult } from './xenLivepatchTool';

export type SessionOptions = EmulatorSessionOptions;

/** What one command of a session did: the tool's output and exit code, and the console lines it caused. */
export interface SessionResult extends ToolResult {
  command: string[];
  /** The `(XEN) ` lines this command printed, as `xl dmesg` shows them. */
  console: string[];
  call?: CallReport;
}

/**
 * An EmulatorSession on the Xen runtime, driven by argv words: `xen-livepatch` commands plus
 * `call FUNCTION [ARGS]`, `dump` and `reset`, as the tests and the fuzzer drive a hypervisor.
 */
export class XenSession {
  private readonly session: EmulatorSession;

  constructor(options: SessionOptions) {
    this.session = new EmulatorSession(xenRuntimeFactory, options);
  }

  run(argv: string[]): SessionResult {
    const { log, stdout, stderr, exitCode, call } = this.session.run(commandFromWords(argv, 'argv'));
    return { command: argv, stdout, stderr, exitCode: exitCode as ToolResult['exitCode'], console: log, ...(call ? { call } : {}) };
  }
}

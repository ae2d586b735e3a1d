import type { Connection } from 'vscode-languageserver';

/**
 * Wraps a request handler so that a bug in one feature costs the user one empty answer and a
 * line in the output channel, never the language server.
 */
export function guarded<P, R>(connection: Connection, feature: string, fallback: R, handler: (params: P) => R | Promise<R>): (params: P) => Promise<R> {
  return async (params: P) => {
    try {
      return await handler(params);
    } catch (error) {
      connection.console.error(`${feature} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  };
}

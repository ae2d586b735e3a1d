import * as os from 'node:os';
import * as path from 'node:path';

/** `$XDG_CACHE_HOME/livepatch-lens/KIND`, else `~/.cache/livepatch-lens/KIND`: every cache the engine keeps lives here. */
export function livepatchCacheDir(kind: string): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'livepatch-lens', kind);
}

// No `vscode` import here: unit tests load this file in plain Node.

/** How many targets "Select Target..." remembers. */
export const recentTargetsKept = 8;

/** The recent targets after choosing `chosen`: it first, no duplicates, at most recentTargetsKept. */
export function rememberTarget(recent: readonly string[], chosen: string): string[] {
  return [chosen, ...recent.filter((p) => p !== chosen)].slice(0, recentTargetsKept);
}

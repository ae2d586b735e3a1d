import type { LimitName, Limits } from '../../server/src/limits';

// No `vscode` import here: unit tests load this file in plain Node.

const MiB = 1024 * 1024;

/**
 * The `livepatch.limits.*` settings and the engine limit each sets (server/src/limits.ts), with
 * the factor from the setting's unit to the limit's: sizes are set in MiB, which people can
 * type, and the engine counts bytes. Written out rather than read from `limitSpecs`: the client's
 * compiled files load in plain Node for its unit tests, where a value import of server/src does
 * not resolve; a unit test holds the two tables equal.
 */
// prettier-ignore
export const limitSettings = {
  guestMemoryMiB: { limit: 'guestMemoryBytes', unit: MiB },
  guestInstructionBudget: { limit: 'guestInstructionBudget', unit: 1 },
  guestTimeoutMs: { limit: 'guestTimeoutMs', unit: 1 },
  documentMiB: { limit: 'documentBytes', unit: MiB },
  cParseMiB: { limit: 'cParseBytes', unit: MiB },
  lineLength: { limit: 'lineLength', unit: 1 },
  analysisTimeoutMs: { limit: 'analysisTimeoutMs', unit: 1 },
  diagnosticsPerDocument: { limit: 'diagnosticsPerDocument', unit: 1 },
  outlineSymbols: { limit: 'outlineSymbols', unit: 1 },
} as const satisfies Record<string, { limit: LimitName; unit: number }>;

export type LimitSetting = keyof typeof limitSettings;

/**
 * `initializationOptions.limits`: the settings in the engine's units. A value that is not a
 * positive number is left out (the server keeps its default); the server clamps the rest to
 * each limit's ceiling.
 */
export function limitsFromSettings(read: (setting: LimitSetting) => unknown): Partial<Limits> {
  const limits: Partial<Limits> = {};
  for (const [setting, { limit, unit }] of Object.entries(limitSettings) as Array<[LimitSetting, (typeof limitSettings)[LimitSetting]]>) {
    const value = read(setting);
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) limits[limit] = Math.round(value * unit);
  }
  return limits;
}

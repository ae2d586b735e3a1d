import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { limitSettings, limitsFromSettings } from '../../../../client/out/limitSettings';
import { configureLimits, limitSpecs } from '../../../../server/out/limits';
import { fromRoot } from '../../support/paths';

interface Contributed {
  type: string;
  default: number;
  minimum: number;
  maximum: number;
  markdownDescription: string;
}
const manifest = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, Contributed> } } };
const properties = manifest.contributes.configuration.properties;
const MiB = 1024 * 1024;

test('livepatch.limits.* settings become initializationOptions.limits in the engine units (bytes, ms)', () => {
  const values: Record<string, unknown> = { guestMemoryMiB: 3, guestInstructionBudget: 1234, guestTimeoutMs: 250, documentMiB: 0.5, lineLength: 4096, analysisTimeoutMs: 900 };
  assert.deepEqual(
    limitsFromSettings((setting) => values[setting]),
    {
      guestMemoryBytes: 3 * MiB,
      guestInstructionBudget: 1234,
      guestTimeoutMs: 250,
      documentBytes: MiB / 2,
      lineLength: 4096,
      analysisTimeoutMs: 900,
    },
  );
});

test("settings that are unset or not a positive number are left to the server's defaults", () => {
  const values: Record<string, unknown> = {
    guestMemoryMiB: undefined,
    guestTimeoutMs: -5,
    documentMiB: 'big',
    lineLength: Number.NaN,
    analysisTimeoutMs: 0,
    guestInstructionBudget: 7,
  };
  assert.deepEqual(
    limitsFromSettings((setting) => values[setting]),
    { guestInstructionBudget: 7 },
  );
});

test('each contributed limit setting has the default and the maximum of its engine limit, in its own unit', () => {
  const contributed = Object.keys(properties)
    .filter((key) => key.startsWith('livepatch.limits.'))
    .sort();
  assert.deepEqual(
    contributed,
    Object.keys(limitSettings)
      .map((s) => `livepatch.limits.${s}`)
      .sort(),
    'every setting is mapped, every mapping contributed',
  );
  for (const [setting, { limit, unit }] of Object.entries(limitSettings)) {
    const property = properties[`livepatch.limits.${setting}`];
    const spec = limitSpecs[limit];
    assert.equal(property.type, 'integer', setting);
    assert.equal(property.default * unit, spec.default, `${setting} default`);
    assert.equal(property.maximum * unit, spec.ceiling, `${setting} maximum`);
    assert.equal(property.minimum, 1, setting);
    assert.match(property.markdownDescription, new RegExp(`Default ${property.default.toLocaleString('en-US')}, at most ${property.maximum.toLocaleString('en-US')}`), setting);
  }
});

test('the defaults the settings send leave the engine exactly at its own defaults', () => {
  const sent = limitsFromSettings((setting) => properties[`livepatch.limits.${setting}`].default);
  const engineDefaults = configureLimits({});
  assert.deepEqual({ ...configureLimits(sent) }, { ...engineDefaults });
});

test("the client's settings table is the engine's: each limit that names a setting is set by that setting, in that unit", () => {
  // The client bundle cannot load server/out at run time outside esbuild, so it keeps its own table.
  const fromEngine = Object.fromEntries(Object.entries(limitSpecs).flatMap(([limit, spec]) => (spec.setting ? [[spec.setting.name, { limit, unit: spec.setting.unit }]] : [])));
  assert.deepEqual({ ...limitSettings }, fromEngine);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromRoot } from '../../support/paths';

interface Manifest {
  capabilities: { untrustedWorkspaces: { supported: string; description: string; restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, unknown> } };
}
const manifest = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as Manifest;

test('in an untrusted workspace, the workspace cannot choose the files the server reads nor its bounds', () => {
  const trust = manifest.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.match(trust.description, /emulator and the real machines are disabled in untrusted workspaces/);
  const settings = Object.keys(manifest.contributes.configuration.properties);
  const namesFilesOrBounds = settings.filter(
    (key) => key === 'livepatch.target' || key === 'livepatch.sourceRoot' || key.startsWith('livepatch.limits.') || key.startsWith('livepatch.realMachine.'),
  );
  assert.ok(namesFilesOrBounds.length >= 8, namesFilesOrBounds.join());
  assert.deepEqual([...trust.restrictedConfigurations].sort(), namesFilesOrBounds.sort());
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presentStatus } from '../../../../client/out/statusPresentation';

test('the status bar item: a check when running, a spinner when starting, an error colour when down', () => {
  assert.deepEqual(
    (['running', 'starting', 'stopped'] as const).map((state) => [presentStatus(state, undefined).text, presentStatus(state, undefined).error]),
    [
      ['$(check) Livepatch', false],
      ['$(sync~spin) Livepatch', false],
      ['$(error) Livepatch', true],
    ],
  );
  assert.match(presentStatus('stopped', 'spawn node ENOENT').tooltip, /stopped \(spawn node ENOENT\).*Restart Language Server/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmulatorJournal } from '../../../../client/out/emulatorJournal';
import type { EmulatorCommandArgs, EmulatorCommandResult } from '../../../../server/src/protocol';

const result = (commandLine: string, exitCode: 0 | 1 | 2, stderr = ''): EmulatorCommandResult => ({ commandLine, exitCode, stdout: '', stderr, console: [] });

/** A server that answers from a table, and remembers what it was sent. */
function server(answers: Record<string, EmulatorCommandResult | Error>) {
  const sent: Array<[string, EmulatorCommandArgs]> = [];
  const send = (command: string, args: EmulatorCommandArgs) => {
    sent.push([command, args]);
    const answer = answers[command];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { sent, send };
}

const session = () => {
  const journal = new EmulatorJournal();
  journal.record('livepatch.emulator.load', { path: '/ws/hello.livepatch' }, result('xen-livepatch load /ws/hello.livepatch', 0));
  journal.record('livepatch.emulator.revert', { name: 'hello' }, result('xen-livepatch revert hello', 0));
  journal.record('livepatch.emulator.apply', { name: 'gone' }, result('xen-livepatch apply gone', 1, 'Error: no such payload'));
  return journal;
};

test('the session is replayed in order with the same arguments; the same exit statuses mean it is restored', async () => {
  const journal = session();
  const { sent, send } = server({
    'livepatch.emulator.load': result('xen-livepatch load /ws/hello.livepatch', 0),
    'livepatch.emulator.revert': result('xen-livepatch revert hello', 0),
    'livepatch.emulator.apply': result('xen-livepatch apply gone', 1, 'Error: no such payload'),
  });
  const line = await journal.replay(send);
  assert.deepEqual(sent, [
    ['livepatch.emulator.load', { path: '/ws/hello.livepatch' }],
    ['livepatch.emulator.revert', { name: 'hello' }],
    ['livepatch.emulator.apply', { name: 'gone' }],
  ]);
  assert.equal(line, 'Emulator session restored after the server restart: 3 commands replayed, up to "xen-livepatch apply gone".');
  assert.equal(journal.size, 3, 'the journal still holds the session, for the next crash');
});

test('a command whose exit status differs on the new server stops the restore, and the line says which and why', async () => {
  const journal = session();
  const { sent, send } = server({
    'livepatch.emulator.load': result('xen-livepatch load /ws/hello.livepatch', 1, 'Error: /ws/hello.livepatch: no such file\nmore'),
  });
  const line = await journal.replay(send);
  assert.equal(sent.length, 1);
  assert.equal(
    line,
    'Emulator session restored only in part after the server restart: "xen-livepatch load /ws/hello.livepatch" gave exit status 1: Error: /ws/hello.livepatch: no such file (exit status 0 before); 2 later commands not replayed.',
  );
  assert.equal(journal.size, 1, 'the journal now holds what the new server did');
});

test('a server that dies again during the replay keeps the whole journal for the next restart', async () => {
  const journal = session();
  const { send } = server({ 'livepatch.emulator.load': new Error('Connection got disposed.') });
  const line = await journal.replay(send);
  assert.match(line!, /^Emulator session not restored: the server stopped again during "xen-livepatch load \/ws\/hello\.livepatch" \(Connection got disposed\.\)\.$/);
  assert.equal(journal.size, 3);
});

test('nothing recorded, nothing to say; clear() forgets the session', async () => {
  const journal = session();
  journal.clear();
  const { sent, send } = server({});
  assert.equal(await journal.replay(send), undefined);
  assert.deepEqual(sent, []);
});

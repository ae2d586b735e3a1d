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

test('the status bar names the target the checks use, and says when it is only the bundled sample', () => {
  const ready = presentStatus('running', undefined, { state: 'ready', path: '/boot/vmlinux-6.1', buildId: 'abc123', bundled: false });
  assert.equal(ready.text, '$(check) Livepatch: vmlinux-6.1');
  assert.match(ready.tooltip, /Target: \/boot\/vmlinux-6\.1, build-id abc123\./);
  const sample = presentStatus('running', undefined, { state: 'ready', path: '/x/samples/build/target/sample-target', buildId: 'f00', bundled: true });
  assert.match(sample.tooltip, /the bundled sample target \(set livepatch\.target to your vmlinux or xen-syms\)/);
  assert.equal(presentStatus('running', undefined, { state: 'loading', path: '/boot/vmlinux', bundled: false }).text, '$(check) Livepatch: indexing vmlinux');
  const failed = presentStatus('running', undefined, { state: 'failed', path: '/boot/vmlinux', detail: 'not an ELF file', bundled: false });
  assert.equal(failed.text, '$(check) Livepatch: no target');
  assert.match(failed.tooltip, /cannot be indexed: not an ELF file\. Checks use source-level facts only\./);
});

test('the status bar says which machine the emulator boots: the real image itself, or the bundled sample', () => {
  const linux = presentStatus('running', undefined, { state: 'ready', path: '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64', buildId: 'eb4f', bundled: false, realImage: 'linux' });
  assert.equal(linux.text, '$(check) Livepatch: vmlinux-6.1.0-56-amd64 · real Linux');
  assert.match(linux.tooltip, /boots this vmlinux itself.*docs\/emulator-real-linux\.md/);
  const xen = presentStatus('running', undefined, { state: 'ready', path: '/usr/lib/debug/boot/xen-syms-4.17-amd64', buildId: '1a2b', bundled: false, realImage: 'xen' });
  assert.equal(xen.text, '$(check) Livepatch: xen-syms-4.17-amd64 · real Xen');
  assert.match(xen.tooltip, /boots this xen-syms itself/);
  const sample = presentStatus('running', undefined, { state: 'ready', path: '/x/samples/build/target/sample-target', buildId: 'f00', bundled: true });
  assert.equal(sample.text, '$(check) Livepatch: sample-target (sample)');
  assert.match(sample.tooltip, /runs the bundled sample target's kernel and hypervisor model/);
  assert.doesNotMatch(presentStatus('running', undefined, { state: 'loading', path: '/boot/vmlinux', bundled: false }).text, /real|sample/);
});

test('after a crash the status says the server was restarted and how often; after too many it offers a restart on click', () => {
  const restarted = presentStatus('running', undefined, undefined, { restarts: 2 });
  assert.equal(restarted.text, '$(check) Livepatch (restarted 2)');
  assert.match(restarted.tooltip, /running, restarted after the server stopped unexpectedly \(2\)\./);
  assert.equal(restarted.command, 'livepatch.showOutput');
  assert.match(presentStatus('starting', undefined, undefined, { restarts: 1 }).tooltip, /starting: restarted after the server stopped unexpectedly \(1\)/);
  const gaveUp = presentStatus('stopped', 'it stopped unexpectedly 6 times within 3 minutes', undefined, { gaveUpAfter: 6 });
  assert.equal(gaveUp.text, '$(error) Livepatch: stopped after 6 crashes');
  assert.match(gaveUp.tooltip, /stopped after 6 crashes \(it stopped unexpectedly 6 times within 3 minutes\): click to restart\./);
  assert.deepEqual([gaveUp.error, gaveUp.command], [true, 'livepatch.restartServer']);
  assert.equal(presentStatus('running', undefined).command, 'livepatch.showOutput');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runXenLivepatch, XenLivepatch } from '../../../../../server/out/emulator/xen';
import { boot } from './support/boot';
import { noXenBuildId } from './support/extraPayloads';
import { samplePayload } from './support/xenPayloads';

// `xen-livepatch` against the emulated hypervisor: output and exit codes of
// tools/misc/xen-livepatch.c as livepatch-tools.md §3.9 describes them.

const tool = (xen: XenLivepatch, ...argv: string[]) => runXenLivepatch(xen, argv);
const hello = samplePayload('xen_hello_world');
const bye = samplePayload('xen_bye_world');

test("load = upload under the file's base name + apply; list shows state and metadata", () => {
  const xen = boot();
  assert.deepEqual(tool(xen, 'list'), { stdout: 'Nothing to list\n', stderr: '', exitCode: 0 });
  assert.deepEqual(tool(xen, 'load', hello), { stdout: `Uploading ${hello}... completed\nApplying xen_hello_world... completed\n`, stderr: '', exitCode: 0 });
  assert.equal(tool(xen, 'upload', 'bye', bye).stdout, `Uploading ${bye}... completed\n`);
  assert.equal(
    tool(xen, 'list').stdout,
    [
      ' ID                                     | status     | metadata',
      '----------------------------------------+------------+---------------',
      `${'xen_hello_world'.padEnd(40)}| APPLIED    | LIVEPATCH_RULEZ`,
      `${'bye'.padEnd(40)}| CHECKED    | `,
      '',
    ].join('\n'),
  );
});

test('an action already done needs none; a wrong state is an error (exit 1)', () => {
  const xen = boot();
  tool(xen, 'load', hello);
  assert.deepEqual(tool(xen, 'apply', 'xen_hello_world'), { stdout: 'No action needed.\n', stderr: '', exitCode: 0 });
  assert.deepEqual(tool(xen, 'unload', 'xen_hello_world'), {
    stdout: '',
    stderr: 'xen_hello_world is in the wrong state.\nCurrent state: APPLIED\nExpected state: CHECKED\n',
    exitCode: 1,
  });
  assert.deepEqual(tool(xen, 'revert', 'xen_hello_world'), { stdout: 'Reverting xen_hello_world... completed\n', stderr: '', exitCode: 0 });
  assert.deepEqual(tool(xen, 'unload', 'xen_hello_world'), { stdout: 'Unloading xen_hello_world... completed\n', stderr: '', exitCode: 0 });
  assert.equal(tool(xen, 'revert', 'xen_hello_world').stderr, 'Failed to get status of xen_hello_world.\nError 2: No such file or directory\n');
});

test('a busy stack is "try again" (exit 2); a refused hypercall prints its errno', () => {
  const xen = boot();
  tool(xen, 'load', hello);
  tool(xen, 'load', bye);
  assert.deepEqual(tool(xen, 'revert', 'xen_hello_world'), { stdout: 'Reverting xen_hello_world... failed\n', stderr: 'Error 16: Device or resource busy\n', exitCode: 2 });
  const refused = tool(xen, 'upload', 'nobuildid', noXenBuildId());
  assert.deepEqual(refused, { stdout: `Uploading ${noXenBuildId()}... failed\n`, stderr: 'Error 22: Invalid argument\n', exitCode: 1 });
});

test('load unloads again when the apply fails', () => {
  const xen = boot();
  const result = tool(xen, 'load', bye);
  assert.equal(result.stdout, `Uploading ${bye}... completed\nApplying xen_bye_world... failed\nUnloading xen_bye_world... completed\n`);
  assert.equal(result.stderr, 'Error 22: Invalid argument\n');
  assert.equal(result.exitCode, 1);
  assert.equal(xen.list().payloads.length, 0);
});

test('a hypervisor that never idles: "Operation didn\'t complete." (exit 2), then "already in progress"', () => {
  const xen = boot();
  tool(xen, 'upload', 'xen_hello_world', hello);
  assert.deepEqual(runXenLivepatch(xen, ['apply', 'xen_hello_world'], { idleLoopRuns: false }), {
    stdout: 'Applying xen_hello_world... failed\n',
    stderr: "Operation didn't complete.\n",
    exitCode: 2,
  });
  assert.deepEqual(tool(xen, 'revert', 'xen_hello_world'), { stdout: '', stderr: 'Cannot execute revert.\nOperation already in progress.\n', exitCode: 2 });
});

test('the status of a failed action shows in list; commands match by prefix; unknown ones and flags are refused', () => {
  const xen = boot();
  xen.setRendezvousDelay(1, Infinity);
  tool(xen, 'upload', 'xen_hello_world', hello);
  assert.deepEqual(tool(xen, 'ap', 'xen_hello_world'), { stdout: 'Applying xen_hello_world... failed\n', stderr: 'Error 16: Device or resource busy\n', exitCode: 2 });
  assert.match(tool(xen, 'li').stdout, /\nxen_hello_world {25}\| CHECKED \(16, Device or resource busy\) {4}\| LIVEPATCH_RULEZ\n/);
  assert.deepEqual(tool(xen, 'frobnicate'), { stdout: '', stderr: "Unrecognised command 'frobnicate' -- try 'xen-livepatch help'\n", exitCode: 1 });
  assert.deepEqual(tool(xen, 'revert', 'xen_hello_world', '--nodeps'), { stdout: '', stderr: 'Unsupported flag: --nodeps.\n', exitCode: 1 });
  assert.match(tool(xen, 'help').stderr, /^xen-livepatch: live patching tool\nUsage: xen-livepatch \[--force\] <command> \[args\] \[command-flags\]/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errno, LIVEPATCH_STATE_APPLIED, LIVEPATCH_STATE_CHECKED, XenLivepatch } from '../../../../../server/out/emulator/xen';
import { act, boot, uploadSample } from './support/boot';
import { actionHooksNoApply, actionHooksOk, actionHooksPartial, faultingLoadHook, preapplyFails } from './support/extraPayloads';

// Hooks of every kind (livepatch-tools.md §3.2, §3.6): where they run, what their results do,
// the vetoing ones against REPLACE, action hooks and the consistency panic.

const upload = (xen: XenLivepatch, name: string, file: string): void => assert.equal(xen.upload(name, readFileSync(file)), 0, xen.console.log);
const lines = (text: string): string[] => text.split('\n').filter(Boolean);

test('load hooks run inside APPLY after "Applying", unload hooks inside REVERT, and print on the console', () => {
  const xen = boot();
  uploadSample(xen, 'xen_hello_world');
  act(xen, 'xen_hello_world', 'apply');
  // xen_hello_world.c: hi_func prints "%s: Hi! (called %u times)", bye_func "%s: Bye!".
  assert.deepEqual(lines(xen.console.log), [
    '(XEN) livepatch: xen_hello_world: Verifying enabled expectations for all functions',
    '(XEN) livepatch: xen_hello_world: Applying 1 functions',
    '(XEN) hi_func: Hi! (called 1 times)',
    '(XEN) livepatch: module metadata:',
    '(XEN) livepatch:   LIVEPATCH_RULEZ',
    '(XEN) livepatch: xen_hello_world finished APPLY with rc=0',
  ]);
  const mark = xen.console.log.length;
  act(xen, 'xen_hello_world', 'revert');
  assert.deepEqual(lines(xen.console.since(mark)), [
    '(XEN) livepatch: xen_hello_world: Reverting',
    '(XEN) bye_func: Bye!',
    '(XEN) livepatch: xen_hello_world finished REVERT with rc=0',
  ]);
});

test('pre/post hooks: the first pre-revert vetoes with its rc, the second lets the revert through', () => {
  const xen = boot();
  uploadSample(xen, 'xen_prepost_hooks');
  assert.equal(act(xen, 'xen_prepost_hooks', 'apply'), 0);
  assert.match(xen.console.log, /livepatch: xen_prepost_hooks: Calling pre-apply hook function\n\(XEN\) pre_apply_hook: pre-apply #1\n/);
  assert.match(xen.console.log, /livepatch: xen_prepost_hooks: Calling post-apply hook function with rc=0\n\(XEN\) post_apply_hook: post-apply #1\n/);
  assert.equal(xen.machine.call('xen_major_version').rax, 5n);
  // xen_prepost_hooks.c: the first pre-revert returns -EBUSY.
  assert.equal(xen.action('xen_prepost_hooks', 'revert'), -errno('EBUSY'));
  assert.match(xen.console.log, /livepatch: xen_prepost_hooks: pre-revert hook failed \(rc=-16\), aborting!\n/);
  assert.deepEqual(xen.get('xen_prepost_hooks').status, { state: LIVEPATCH_STATE_APPLIED, rc: -errno('EBUSY') });
  assert.equal(xen.pending, false);
  assert.equal(act(xen, 'xen_prepost_hooks', 'revert'), 0);
  assert.match(xen.console.log, /pre_revert_hook: pre-revert #2\n/);
  assert.match(xen.console.log, /Calling post-revert hook function with rc=0\n\(XEN\) post_revert_hook: post-revert #1\n/);
  assert.equal(xen.machine.call('xen_major_version').rax, 4n);
});

test('a failing pre-apply hook vetoes APPLY: its rc is returned and nothing else runs', () => {
  const xen = boot();
  upload(xen, 'lp_prepost_fail', preapplyFails());
  assert.equal(xen.action('lp_prepost_fail', 'apply'), -errno('EINVAL'));
  xen.idle();
  assert.match(xen.console.log, /livepatch: lp_prepost_fail: pre-apply hook failed \(rc=-22\), aborting!\n/);
  assert.doesNotMatch(xen.console.log, /must not run|Applying/);
  assert.deepEqual(xen.get('lp_prepost_fail').status, { state: LIVEPATCH_STATE_CHECKED, rc: -errno('EINVAL') });
  assert.equal(xen.machine.call('xen_major_version').rax, 4n);
});

test('REPLACE is refused for a payload with vetoing hooks, and while one is applied', () => {
  const xen = boot();
  uploadSample(xen, 'xen_prepost_hooks');
  uploadSample(xen, 'xen_replace_world');
  assert.equal(xen.action('xen_prepost_hooks', 'replace'), -errno('EOPNOTSUPP'));
  assert.match(xen.console.log, /livepatch: xen_prepost_hooks: REPLACE action is not supported on livepatches with vetoing hooks!\n/);
  act(xen, 'xen_prepost_hooks', 'apply');
  assert.equal(xen.action('xen_replace_world', 'replace'), -errno('EOPNOTSUPP'));
  assert.deepEqual(xen.appliedStack(), ['xen_prepost_hooks']);
});

test('apply/revert action hooks replace the default patching and receive struct payload', () => {
  const xen = boot();
  upload(xen, 'lp_action_hooks', actionHooksOk());
  assert.equal(act(xen, 'lp_action_hooks', 'apply'), 0);
  assert.match(xen.console.log, /livepatch: lp_action_hooks: Calling apply action hook function\n\(XEN\) apply_hook: lp_action_hooks has 1 functions\n/);
  assert.doesNotMatch(xen.console.log, /Applying 1 functions/);
  assert.equal(xen.machine.call('xen_minor_version').rax, 99n);
  assert.equal(xen.payload('lp_action_hooks')!.funcs[0].applied, true);
  assert.equal(act(xen, 'lp_action_hooks', 'revert'), 0);
  assert.match(xen.console.log, /livepatch: lp_action_hooks: Calling revert action hook function\n/);
  assert.equal(xen.machine.call('xen_minor_version').rax, 21n);
});

test('an apply hook that fails without marking anything is a consistent failure', () => {
  const xen = boot();
  upload(xen, 'lp_action_noapply', actionHooksNoApply());
  act(xen, 'lp_action_noapply', 'apply');
  assert.equal(xen.panicked, undefined);
  assert.deepEqual(xen.get('lp_action_noapply').status, { state: LIVEPATCH_STATE_CHECKED, rc: -errno('EINVAL') });
  assert.match(xen.console.log, /livepatch: lp_action_noapply finished APPLY with rc=-22\n/);
});

test('a payload left half applied panics the hypervisor, not the host', () => {
  const xen = boot();
  upload(xen, 'lp_action_partial', actionHooksPartial());
  act(xen, 'lp_action_partial', 'apply');
  assert.equal(xen.panicked, "livepatch: partially applied payload 'lp_action_partial'!");
  assert.match(xen.console.log, /livepatch: lp_action_partial: Payload has a function: 'xen_minor_version' with inconsistent applied state\.\n/);
  assert.match(xen.console.log, /\(XEN\) Panic on CPU 0:\n\(XEN\) livepatch: partially applied payload 'lp_action_partial'!\n/);
  assert.doesNotMatch(xen.console.log, /finished APPLY/);
  assert.throws(() => xen.get('lp_action_partial'), /panicked/);
  assert.equal(boot().machine.call('xen_major_version').rax, 4n, 'a new hypervisor boots');
});

test('a hook that faults is a fault in the hypervisor: reported, then a panic', () => {
  const xen = boot();
  upload(xen, 'lp_hook_fault', faultingLoadHook());
  xen.action('lp_hook_fault', 'apply');
  assert.doesNotThrow(() => xen.idle());
  assert.match(xen.panicked ?? '', /FATAL TRAP: page-fault in boom/);
  // The report names the payload's code as payload!function.
  assert.match(xen.console.log, /guest fault \(page-fault\) at lp_hook_fault!boom.*write of an unmapped address 0x0/);
});

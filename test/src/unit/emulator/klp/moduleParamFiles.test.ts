import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootSample, buildModule, insmod, sh } from './support/kernel';

// /sys/module/MOD/parameters/NAME, as mod_sysfs_setup() makes them from module_param()'s mode:
// the kernel's callbacks demo takes `echo -19 > .../pre_patch_ret` between loads, and the real
// kernel answered that write where the emulator said No such file (the Linux differential test).
const source = `#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
static int ret;
module_param(ret, int, 0644);
static bool quiet = 1;
module_param(quiet, bool, 0444);
static int hidden;
module_param(hidden, int, 0);
static int params_init(void) { return 0; }
static void params_exit(void) { pr_info("params: ret=%d\\n", ret); }
module_init(params_init);
module_exit(params_exit);
MODULE_LICENSE("GPL");
`;

test('a module parameter with a mode is a file under /sys/module: read as its type prints it, written as insmod parses it', () => {
  const kernel = bootSample();
  const ko = buildModule('params-sysfs', source);
  insmod(kernel, ko, 'ret=5');
  const dir = '/sys/module/params_sysfs/parameters';
  assert.deepEqual(sh(kernel, `cat ${dir}/ret`), { stdout: '5\n', stderr: '', exitCode: 0 });
  assert.deepEqual(sh(kernel, `cat ${dir}/quiet`), { stdout: 'Y\n', stderr: '', exitCode: 0 });
  assert.equal(sh(kernel, `echo -19 > ${dir}/ret`).exitCode, 0);
  assert.equal(sh(kernel, `cat ${dir}/ret`).stdout, '-19\n');
  assert.deepEqual(sh(kernel, `echo 12abc > ${dir}/ret`), { stdout: '', stderr: 'sh: write error: Invalid argument\n', exitCode: 1 });
  assert.equal(sh(kernel, `echo N > ${dir}/quiet`).exitCode, 1, 'mode 0444 has no write');
  assert.equal(sh(kernel, `cat ${dir}/hidden`).exitCode, 1, 'mode 0: no file');
  kernel.log.readNew();
  assert.equal(sh(kernel, 'rmmod params_sysfs').exitCode, 0);
  assert.ok(
    kernel.log.readNew().some((line) => line.endsWith('params: ret=-19')),
    'the module sees the value written',
  );
  assert.equal(sh(kernel, `cat ${dir}/ret`).exitCode, 1, 'gone with the module');
});

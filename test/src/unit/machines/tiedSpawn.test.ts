import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { test } from 'node:test';

const tiedSpawn = require.resolve('../../../../server/out/machines/tiedSpawn');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// A parent that dies by SIGKILL runs no exit listener: only the kernel's parent-death signal ends
// its QEMU. Stands in for a test file killed on its timeout with a machine booted.
test(
  'a child spawned for a machine dies with the process that spawned it, even when that one is SIGKILLed',
  { skip: process.platform !== 'linux' && 'parent-death signals are Linux-only' },
  async () => {
    const parent = spawn(
      process.execPath,
      ['-e', `const c = require(${JSON.stringify(tiedSpawn)}).spawnTiedToThisProcess('sleep', ['120']); console.log(c.pid); setInterval(() => {}, 1000);`],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    assert.ok(alive(pid), 'the child runs while its parent does');
    // setpriv execs the command in place: the pid is the sleep's own.
    assert.match(execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }), /^sleep 120/);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const survived = alive(pid);
    if (survived) process.kill(pid, 'SIGKILL');
    assert.equal(survived, false, 'the child outlived its SIGKILLed parent');
  },
);

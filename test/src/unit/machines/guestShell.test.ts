import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { guestCommandLine } from '../../../../server/out/machines/guestShell';
import { quoteWord } from '../../../../server/out/scenario/shellWords';

// Words a scenario may hold that a careless join would expand, split, glob or run.
const hostile = ['', ' ', 'a b', "it's", '"q"', '$HOME', '$(id)', '`id`', '*', '?', '~', 'a\nb', '\\', "''", 'x;y', 'a|b', '-n', '>', '&', '\t', 'é ü', '!'];

/** What a real POSIX shell makes of a line: each argument it passes, one per NUL. */
function shellWords(line: string): string[] {
  const run = spawnSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\0').slice(0, -1);
}

test('every quoted word reaches a real shell exactly as written, alone and together', () => {
  for (const word of hostile) assert.deepEqual(shellWords(quoteWord(word)), [word], JSON.stringify(word));
  assert.deepEqual(shellWords(hostile.map(quoteWord).join(' ')), hostile);
});

test('plain words stay readable; the redirection goes after the words, its path quoted', () => {
  assert.equal(quoteWord('/sys/kernel/livepatch/p/enabled'), '/sys/kernel/livepatch/p/enabled');
  assert.equal(guestCommandLine({ argv: ['echo', '0'], redirect: { path: '/sys/a b', append: false } }), "echo 0 > '/sys/a b'");
  assert.equal(guestCommandLine({ argv: ['echo', 'x'], redirect: { path: '/tmp/f', append: true } }), 'echo x >> /tmp/f');
});

test('a redirected command writes to its path in a real shell, and a path with a $ stays literal', () => {
  const dir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
  const line = guestCommandLine({ argv: ['printf', '%s', 'a b'], redirect: { path: `${dir}/$x y`, append: false } });
  assert.equal(spawnSync('sh', ['-c', `${line}; cat ${quoteWord(`${dir}/$x y`)}`], { encoding: 'utf8' }).stdout, 'a b');
  spawnSync('rm', ['-rf', dir]);
});

test('the rewrite of host paths applies to the words before quoting', () => {
  assert.equal(
    guestCommandLine({ argv: ['insmod', '/home/me/a b.ko'] }, (argv) => argv.map((w) => w.replace('/home/me/', '/modules/'))),
    "insmod '/modules/a b.ko'",
  );
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ConsoleEvent, ConsoleReader, runLine } from '../../../../server/out/machines/consoleProtocol';

const nonce = '0123456789abcdef';
const b64 = (text: string) =>
  (
    Buffer.from(text)
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\n');
const marker = (what: string) => `\n@@LL:${nonce}:${what}\n`;

/** What the guest's /init prints for one command (guestInit.ts), built independently of the reader. */
function frame(index: number, rc: number, out: string, err: string, log: string, hypervisor = ''): string {
  return `${marker(`BEGIN ${index}`)}${hypervisor}${marker('OUT')}${b64(out)}${marker('ERR')}${b64(err)}${marker('LOG')}${b64(log)}${marker(`END ${index} ${rc}`)}`;
}

const stream = [
  '\x1b[?7l\x1b[2JSeaBIOS (version 1.16.2)\r\n',
  `${marker('BOOTLOG')}${b64('[    0.000000] Linux version 6.1.0\n[    0.100000] x\n')}${marker('READY')}`,
  frame(0, 0, 'this has been live patched\n', '', "[    2.000000] livepatch: enabling patch 'p'\n[    2.100000] livepatch: 'p': patching complete\n"),
  // Output that looks like a marker, with another boot's nonce, and a stray line between frames.
  frame(1, 3, '@@LL:ffffffffffffffff:END 9 0\n\u00e9\n', 'err\n', ''),
  // Xen's own lines on the same port while the command ran, one of them late, inside the encoded output.
  frame(2, 0, 'Applying... completed\n', '', '', '(XEN) livepatch: p: Applying 1 functions\r\n(XEN) hi_func: Hi!\r\n').replace(
    `${marker('ERR')}`,
    `\n(XEN) late line\n${marker('ERR')}`,
  ),
  '[   3.0] Kernel panic - not syncing: stray\r\n',
  marker('POWEROFF'),
].join('');

function events(chunks: string[]): ConsoleEvent[] {
  const seen: ConsoleEvent[] = [];
  const reader = new ConsoleReader(nonce, (e) => seen.push(e));
  for (const chunk of chunks) reader.feed(chunk);
  return seen;
}

const expected: ConsoleEvent[] = [
  { kind: 'noise', line: '\x1b[?7l\x1b[2JSeaBIOS (version 1.16.2)' },
  { kind: 'ready', bootLog: ['[    0.000000] Linux version 6.1.0', '[    0.100000] x'] },
  {
    kind: 'result',
    frame: {
      index: 0,
      exitCode: 0,
      stdout: 'this has been live patched\n',
      stderr: '',
      log: ["[    2.000000] livepatch: enabling patch 'p'", "[    2.100000] livepatch: 'p': patching complete"],
      console: [],
    },
  },
  { kind: 'result', frame: { index: 1, exitCode: 3, stdout: '@@LL:ffffffffffffffff:END 9 0\n\u00e9\n', stderr: 'err\n', log: [], console: [] } },
  {
    kind: 'result',
    frame: {
      index: 2,
      exitCode: 0,
      stdout: 'Applying... completed\n',
      stderr: '',
      log: [],
      console: ['(XEN) livepatch: p: Applying 1 functions', '(XEN) hi_func: Hi!', '(XEN) late line'],
    },
  },
  { kind: 'noise', line: '[   3.0] Kernel panic - not syncing: stray' },
  { kind: 'poweroff' },
];

test('boot log, results, the hypervisor lines of each command, noise and power-off come apart in order, whole', () => {
  assert.deepEqual(events([stream]), expected);
});

test('the same events whatever the chunk boundaries (every split point, and byte by byte)', () => {
  for (let cut = 0; cut <= stream.length; cut += 7) assert.deepEqual(events([stream.slice(0, cut), stream.slice(cut)]), expected, `cut at ${cut}`);
  assert.deepEqual(events([...stream]), expected);
});

test("a marker with another nonce is noise, not a frame: nothing the guest's output or firmware prints can end one", () => {
  const seen = events([`${marker('READY')}\n@@LL:ffffffffffffffff:END 0 0\n`]);
  assert.deepEqual(seen.at(-1), { kind: 'noise', line: '@@LL:ffffffffffffffff:END 0 0' });
});

test('a frame larger than the bound stops the reader with a message instead of growing without end', () => {
  const reader = new ConsoleReader(nonce, () => undefined, 1000);
  assert.throws(() => reader.feed(`${marker('OUT')}${'A'.repeat(76)}\n`.repeat(1) + `${'A'.repeat(76)}\n`.repeat(20)), /larger than 1000 characters/);
});

test("the command line sent to the guest decodes with busybox's base64 to the shell text, newlines and quotes intact", (t) => {
  if (spawnSync('busybox', ['true']).status !== 0) return t.skip('busybox is not installed (apt-get install busybox-static)');
  const text = "printf '%s\\n' 'a\nb' \"$x\" `y`";
  const line = runLine(text);
  assert.match(line, /^run [A-Za-z0-9+/=]+\n$/);
  const decoded = spawnSync('busybox', ['base64', '-d'], { input: line.slice(4, -1), encoding: 'utf8' });
  assert.equal(decoded.stdout, text);
});

test("the watcher sees every line that is the guest's own words (a hypervisor's line, a panic), none of the protocol's", () => {
  const seen: string[] = [];
  const reader = new ConsoleReader(
    nonce,
    () => undefined,
    undefined,
    (line) => seen.push(line),
  );
  reader.feed(stream);
  assert.deepEqual(seen, [
    '\x1b[?7l\x1b[2JSeaBIOS (version 1.16.2)',
    '(XEN) livepatch: p: Applying 1 functions',
    '(XEN) hi_func: Hi!',
    '(XEN) late line',
    '[   3.0] Kernel panic - not syncing: stray',
  ]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Machine } from '../../../../server/out/emulator';
import { buildDir, corpusDir, gcc, kernelObject, runProgram } from './support/gcc';

// The printf-style native against the host C library, and the other natives through real calls.

const printfSource = path.join(corpusDir, 'printf.c');
const FORMATS = 10;

async function hostFormats(): Promise<string[]> {
  const driver = path.join(buildDir, 'printf-driver.c');
  writeFileSync(
    driver,
    [
      '#include <stdio.h>',
      'typedef unsigned long u64;',
      'const char *result(void);',
      ...Array.from({ length: FORMATS }, (_, i) => `u64 fmt_${i}(void);`),
      `static u64 (*const fns[])(void) = { ${Array.from({ length: FORMATS }, (_, i) => `fmt_${i}`).join(', ')} };`,
      'int main(void) { for (int i = 0; i < ' + FORMATS + '; i++) { u64 n = fns[i](); printf("%lu\\t%s\\n", n, result()); } return 0; }',
    ].join('\n'),
  );
  const program = await gcc('printf-native', ['-O1', '-Wno-format', printfSource, driver]);
  return (await runProgram(program)).split('\n').slice(0, FORMATS);
}

test('snprintf in the guest formats like the host C library', async () => {
  const expected = await hostFormats();
  const m = new Machine();
  m.loadObject(await kernelObject(printfSource, 'O2'), 'printf.o');
  for (let i = 0; i < FORMATS; i++) {
    const count = m.call(`fmt_${i}`);
    assert.equal(count.status, 'returned', count.fault?.report());
    const text = m.memory.readCString(m.call('result').rax);
    assert.equal(`${count.rax}\t${text}`, expected[i], `format ${i}`);
  }
});

test('printk output is captured per call, without the KERN_ level prefix', async () => {
  const m = new Machine();
  m.natives.define({ name: 'host_probe', kind: 'call', run: () => 0n });
  m.natives.define({ name: 'host_sleep', kind: 'call', run: () => 0n });
  m.loadObject(await kernelObject(path.join(corpusDir, 'machine.c'), 'O2'), 'machine.o');
  const first = m.call('hello', [3n]);
  const expected = 'hello world 3 times, 9 x%\n';
  assert.equal(first.output, expected);
  assert.equal(first.rax, BigInt(expected.length));
  assert.equal(m.call('hello', [10n]).output, 'hello world 10 times, 1e x%\n');
  assert.equal(m.console, expected + 'hello world 10 times, 1e x%\n');
  assert.equal(m.call('strings').rax, 9001n, 'memcpy, strlen and memcmp natives');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calledWord, declaredWord, withoutComments, withoutSourceComments, withoutStrings } from '../../../../server/out/c/lineCode';
import { prng } from '../diff/oracle';

// The regular expressions the scanners replace are the oracle: on short lines, where their
// backtracking costs nothing, both must give the same answer.
const oracles = {
  withoutComments: (t: string) => t.replace(/\/\*.*?\*\/|\/\/.*$/g, ' '),
  withoutSourceLines: (t: string) => t.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ' '),
  withoutSourceNewlines: (t: string) => t.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' '),
  withoutStrings: (t: string) => t.replace(/"(?:[^"\\]|\\.)*"/g, '""'),
  calledWord: (t: string) => /(\w+)\s*\(/.exec(t)?.[1],
  declaredWord: (t: string) => /(\w+)\s*(?:\[[^\]]*\]\s*)*(?:=|;)/.exec(t)?.[1],
};

const pieces = ['/*', '*/', '//', '/', '*', '"', '\\', '\\"', 'a', 'x1', '_y', ' ', '\t', '(', ')', '[', ']', '[2]', '=', ';', '\n', '\r', '\u2028', 'é'];

function lines(seed: number, count: number): string[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(random() * 14) }, () => pieces[Math.floor(random() * pieces.length)]).join(''));
}

test('the line scanners give what the regular expressions they replace gave, on 20,000 random short lines', () => {
  for (const line of lines(20261203, 20_000)) {
    const shown = JSON.stringify(line);
    assert.equal(withoutComments(line), oracles.withoutComments(line), `withoutComments ${shown}`);
    assert.equal(withoutSourceComments(line, /[\n\r\u2028\u2029]/g), oracles.withoutSourceLines(line), `withoutSourceComments (m) ${shown}`);
    assert.equal(withoutSourceComments(line, /\n/g), oracles.withoutSourceNewlines(line), `withoutSourceComments (\\n) ${shown}`);
    assert.equal(withoutStrings(line), oracles.withoutStrings(line), `withoutStrings ${shown}`);
    assert.equal(calledWord(line)?.name, oracles.calledWord(line), `calledWord ${shown}`);
    assert.equal(declaredWord(line), oracles.declaredWord(line), `declaredWord ${shown}`);
  }
});

test('the scanners stay linear where the regular expressions were quadratic: 200 KB lines in well under a second', () => {
  for (const line of ['/* '.repeat(70_000), `x = ${'\\"'.repeat(100_000)}`, `static ${'x['.repeat(100_000)}`, 'a'.repeat(200_000)]) {
    const started = performance.now();
    withoutStrings(withoutComments(line));
    declaredWord(line);
    calledWord(line);
    const ms = performance.now() - started;
    assert.ok(ms < 1000, `${line.slice(0, 12)}...: ${ms.toFixed(0)} ms`);
  }
});

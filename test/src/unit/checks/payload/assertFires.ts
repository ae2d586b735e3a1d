import assert from 'node:assert/strict';
import type { Finding } from '../../../../../server/out/checks';

/** Finds `id` among the findings and checks the message carries the loader's own words. */
export function assertFires(findings: Finding[], id: string, ...quotes: string[]): Finding {
  const hit = findings.find((f) => f.code === id);
  assert.ok(
    hit,
    `${id} should fire; got ${JSON.stringify(
      findings.map((f) => `${f.code}: ${f.message}`),
      null,
      1,
    )}`,
  );
  for (const quote of quotes) assert.ok(hit.message.includes(quote), `${id} message quotes "${quote}": ${hit.message}`);
  return hit;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loader } from '../../differential/loaders/linux';
import { moduleFacts } from '../../differential/linux/moduleFacts';
import { linuxCandidates } from '../../differential/linux/mutators';

// The Linux mutators make what they say: every candidate of every kbuild sample changes the
// base's bytes (a no-op would be a variant judged for nothing), one description is one change
// (the recording keys variants by it; the generator skips a repeat), and every family the
// generator draws has candidates somewhere.
const skip = loader.unavailable();

test('each Linux candidate change changes the module, says so uniquely, and every drawn family has some', { skip }, () => {
  const families = new Set<string>();
  for (const base of loader.bases()) {
    const candidates = linuxCandidates(moduleFacts(base.name, base.bytes));
    const made = new Map<string, Buffer>();
    for (const c of candidates) {
      families.add(c.family);
      const bytes = c.make(Buffer.from(base.bytes));
      const key = `${c.family}: ${c.what}`;
      assert.ok(!made.has(key) || made.get(key)!.equals(bytes), `${base.name}: '${c.what}' names two different changes`);
      made.set(key, bytes);
      assert.ok(!bytes.equals(base.bytes), `${base.name} [${c.family}] ${c.what} leaves the bytes as they were`);
    }
  }
  assert.deepEqual(
    loader.mutators.map((m) => m.name).filter((name) => !families.has(name)),
    [],
  );
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { failuresOf } from './campaign';
import { structuresOf } from './elfMutator';
import { Harness } from './harness';
import { applyRecipe, isBinaryKind } from './recipe';
import { regressions } from './regressions';
import { inputName, seedBytes } from './seeds';

const harness = new Harness();
after(() => harness.close());

regressions.forEach(({ found, recipe }, n) => {
  test(`fuzz regression ${n}: ${found}`, async () => {
    const seed = seedBytes(recipe.sample);
    if (isBinaryKind(recipe.kind)) {
      const known = Object.values(structuresOf(seed).groups).flat();
      for (const op of recipe.ops) {
        if (op.op !== 'write' || op.what === 'random bytes') continue;
        assert.ok(
          known.some((f) => f.at === op.at && f.what === op.what),
          `${recipe.sample} changed: offset ${op.at} is no longer ${op.what}; derive the recipe again`,
        );
      }
    }
    const result = await harness.run({ kind: recipe.kind, name: inputName(recipe.kind, n, recipe.sample), bytes: applyRecipe(recipe, seed) });
    const failures = failuresOf(recipe, result);
    assert.deepEqual(
      failures.map((f) => `${f.signature}\n${f.detail}`),
      [],
    );
  });
});

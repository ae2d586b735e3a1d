import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { kbuildSamples } from '../../support/kbuildSamples';
import { distDir } from '../../support/paths';
import { declaredObjects } from './klpInitializers';

// Optional: the kernel's seven samples/livepatch modules built by kbuild against Debian's headers
// (`node scripts/kbuild-livepatch-samples.mjs --with-vmlinux`, or `npm run -s test:real-modules`),
// checked against Debian's vmlinux. Skipped, and reported as skipped, when they are not there.
const found = kbuildSamples({ vmlinux: true });
const skip = found.skip;
const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(distDir, 'cli.js'), ...args], { encoding: 'utf8' });

test('the seven kbuild-built samples/livepatch modules get no error from check --target vmlinux; the three plain modules are LP337 information', { skip }, () => {
  const { modules, vmlinux } = found.samples!;
  const run = cli('check', '--target', vmlinux!, '--format', 'json', ...Object.values(modules));
  assert.equal(run.status, 0, run.stderr);
  const findings = JSON.parse(run.stdout) as Array<{ file: string; severity: string; code: string; message: string }>;
  assert.deepEqual(
    findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => `${path.basename(f.file)}: ${f.code} ${f.message}`),
    [],
  );
  const plain = Object.entries(modules)
    .filter(([, ko]) => declaredObjects(readFileSync(ko.replace(/\.ko$/, '.c'), 'utf8')).length === 0)
    .map(([name]) => `${name}.ko`);
  assert.deepEqual(plain.sort(), ['livepatch-callbacks-busymod.ko', 'livepatch-callbacks-mod.ko', 'livepatch-shadow-mod.ko'], 'the sources that declare no klp_patch');
  assert.deepEqual(
    findings.map((f) => `${path.basename(f.file)}: ${f.code}`).sort(),
    plain.map((ko) => `${ko}: LP337`),
  );
});

interface InspectJson {
  payload: {
    functions: Array<{ where: string; oldName?: string; new: string }>;
    hooks: Array<{ kind: string; section: string; functions: string[] }>;
    facts: Array<{ label: string; value: string }>;
  };
}

/** pre_patch -> prePatch: the source's field names as the inspector spells callback kinds. */
const camel = (field: string): string => field.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

test('inspect --json reports the functions, objects and callbacks each module source declares', { skip }, () => {
  for (const [name, ko] of Object.entries(found.samples!.modules)) {
    const declared = declaredObjects(readFileSync(ko.replace(/\.ko$/, '.c'), 'utf8'));
    const run = cli('inspect', '--json', ko);
    assert.equal(run.status, 0, `${name}: ${run.stderr}`);
    const { payload } = JSON.parse(run.stdout) as InspectJson;
    const objectOf = (where: string) => where.replace(/ klp_func\[\d+\]$/, '');
    assert.deepEqual(
      payload.functions.map((f) => `${objectOf(f.where)}: ${f.oldName} -> ${f.new}`),
      declared.flatMap((o) => o.funcs.map((f) => `${o.name}: ${f.oldName}${f.oldSympos ? `,${f.oldSympos}` : ''} -> ${f.newFunc}`)),
      `${name}: functions`,
    );
    assert.deepEqual(
      payload.hooks.flatMap((h) => h.functions.map((fn) => `${h.section.replace(/^klp_object /, '')}: ${h.kind} ${fn}`)),
      declared.flatMap((o) => Object.entries(o.callbacks).map(([field, fn]) => `${o.name}: ${camel(field)} ${fn}`)),
      `${name}: callbacks`,
    );
    const patchFact = payload.facts.find((f) => f.label === 'klp_patch')?.value;
    if (declared.length) assert.match(patchFact ?? '', new RegExp(`, ${declared.length} object\\(s\\)`), `${name}: objects`);
    else assert.equal(patchFact, undefined, `${name}: a plain module has no klp_patch`);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { analyzePayloadFile } from '../../../../../server/out/checks/payload';
import { buildTargetIndexData, TargetIndex } from '../../../../../server/out/target';
import { namesNotInXen } from '../../../../../server/out/target/xenSymbolView';
import { errno } from '../../../../../server/out/emulator/xen';
import { fromRoot } from '../../../support/paths';
import { run } from '../../samples/binutils';
import { boot } from './support/boot';
import { buildPayload, targetPath } from './support/xenPayloads';

// Issue 16: the bundled target, seen by Xen, has Xen's names only — a payload naming __fentry__ is
// refused as real Xen refuses it ("Unknown symbol: __fentry__", Error 2), by the emulator and the checks.
const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { xenSyms: string } };
const xenSyms = artifacts.files.xenSyms;
const definedNames = (file: string): Set<string> => new Set([...run('nm', ['--defined-only', file]).matchAll(/^\S+ \S (\S+)$/gm)].map((m) => m[1]));

test(
  "the Linux-only names are exactly the sample target's names Debian's xen-syms lacks (nm)",
  { skip: existsSync(xenSyms) ? false : `${xenSyms} is not installed: apt-get install xen-hypervisor-4.17-amd64-dbg` },
  () => {
    const xen = definedNames(xenSyms);
    const hidden = new Set(namesNotInXen());
    assert.deepEqual(
      [...hidden].filter((n) => xen.has(n)),
      [],
      'names hidden from Xen that xen-syms defines',
    );
    assert.deepEqual(
      [...definedNames(targetPath)].filter((n) => !xen.has(n) && !hidden.has(n)),
      [],
      "the sample target's names xen-syms lacks, still visible to Xen",
    );
  },
);

test('a payload calling __fentry__ (built with -pg -mfentry) is refused: emulator and LP315 say Unknown symbol, ENOENT', async () => {
  // xen_replace_world's replacement, with the call -pg -mfentry put at its start.
  const file = buildPayload(
    'lp_fentry',
    `#include <xen/livepatch_payload.h>
#include "config.h"
void __fentry__(void);
static const char name[] = "xen_extra_version";
const char *lp_fentry_fn(void) { __fentry__(); return "fentry"; }
struct livepatch_func __attribute__((section(".livepatch.funcs"))) lp_fentry = {
	.version = LIVEPATCH_PAYLOAD_VERSION, .name = name, .new_addr = lp_fentry_fn, .new_size = 16, .old_size = XEN_EXTRA_VERSION_SZ,
};
`,
  );
  const xen = boot();
  assert.equal(xen.upload('lp_fentry', readFileSync(file)), -errno('ENOENT'));
  assert.equal(xen.console.log, '(XEN) livepatch: lp_fentry: Unknown symbol: __fentry__\n');
  const target = new TargetIndex(await buildTargetIndexData(targetPath, { dwarfWorkers: 1 }));
  assert.ok(target.symbolsNamed('__fentry__').length > 0, 'the sample target defines __fentry__ (for its Linux side)');
  const finding = analyzePayloadFile(file, { target }).findings.find((f) => f.code === 'LP315');
  assert.ok(finding?.message.includes('Unknown symbol: __fentry__'), finding?.message);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runCli } from '../../../../../server/out/cli';
import type { ScenarioJsonLine } from '../../../../../server/out/scenario/runner';
import { buildSamples } from '../xen/support/xenPayloads';
import { fromRoot } from '../../../support/paths';
import { hazardChecks, hazardScenarios, normalTarget, pushOrder, RanCommand, scenarioPath, traceableTarget } from './support/hazardScenarios';

// Issue 10 §4 end to end through the CLI: `livepatch-lens emu --runtime linux --json --script`
// on each sample scenario, which must run to its end (every `expect` met), then what it shows.

buildSamples();

async function emu(target: string, script: string): Promise<{ code: number; ran: RanCommand[]; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['emu', '--runtime', 'linux', '--target', target, '--json', '--script', script], {
    out: (t) => void (out += `${t}\n`),
    err: (t) => void (err += `${t}\n`),
  });
  const ran = out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ScenarioJsonLine)
    .map((j) => ({
      text: j.command.join(' ') + (j.redirect ? ` > ${j.redirect.path}` : ''),
      stdout: j.stdout,
      stderr: j.stderr,
      exitCode: j.exitCode,
      log: j.log ?? [],
      ...(j.rax !== undefined ? { rax: BigInt(j.rax) } : {}),
    }));
  return { code, ran, err };
}

for (const { name, target } of hazardScenarios) {
  test(`samples/scenarios/${name}.sh through emu --runtime linux --json`, async () => {
    const { code, ran, err } = await emu(target, scenarioPath(name));
    assert.equal(code, 0, `${err}\nlast: ${ran.at(-1)?.text ?? 'nothing'}`);
    hazardChecks[name](ran);
  });
}

test("the hazard's premise: lp_schedule's __schedule saves the callee-saved registers in another order than __switch_to_asm (objdump)", () => {
  const original = pushOrder(traceableTarget, '__switch_to_asm');
  const replacement = pushOrder(fromRoot('samples', 'build', 'payloads', 'klp', 'lp-schedule.ko'), 'lp_schedule___schedule');
  assert.deepEqual([...original].sort(), [...replacement].sort(), 'the same six registers');
  assert.notDeepEqual(original, replacement, 'in another order');
});

test('__schedule is notrace on the normal target and traceable on the variant (objdump: call __fentry__ first)', () => {
  const first = (file: string) =>
    /<__schedule>:\n\s*[0-9a-f]+:\s*(.*)/.exec(execFileSync('objdump', ['-d', '--no-show-raw-insn', file], { encoding: 'utf8', maxBuffer: 64 << 20 }))!.at(1)!;
  assert.doesNotMatch(first(normalTarget), /__fentry__/);
  assert.match(first(traceableTarget), /call\s+\S+ <__fentry__>/);
});

test('samples/demo-klp.sh (npm start, after the Xen demo) patches /proc/cmdline, disables and removes the patch, exit 0', async () => {
  const { code, ran, err } = await emu(normalTarget, fromRoot('samples', 'demo-klp.sh'));
  assert.equal(code, 0, err);
  const replacement = /seq_printf\(m, "%s\\n", "([^"]+)"\)/.exec(readFileSync(fromRoot('samples', 'payloads', 'klp', 'livepatch-sample.c'), 'utf8'))![1];
  const original = /saved_command_line\[\] = "([^"]+)"/.exec(readFileSync(fromRoot('samples', 'target', 'main.c'), 'utf8'))![1];
  assert.deepEqual(
    ran.filter((r) => r.text === 'cat /proc/cmdline').map((r) => r.stdout),
    [`${original}\n`, `${replacement}\n`, `${original}\n`],
  );
  const log = ran.flatMap((r) => r.log.map((l) => l.replace(/^\[[^\]]*\] /, '')));
  for (const line of ['enabling patch', 'starting patching transition', 'patching complete', 'starting unpatching transition', 'unpatching complete'])
    assert.ok(
      log.some((l) => l.startsWith('livepatch: ') && l.includes(line)),
      line,
    );
});

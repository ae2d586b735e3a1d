import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { EmulatorCommandResult, EmulatorState, LinuxEmulatorState } from '../../../server/src/protocol';
import { commandsOf, parseScript } from '../../../server/out/scenario/parse';
import { LspClient } from '../support/lspClient';
import { distDir, repoRoot } from '../support/paths';
import { hazardChecks, hazardScenarios, RanCommand, scenarioPath } from '../unit/emulator/klp/support/hazardScenarios';
import { buildSamples } from '../unit/emulator/xen/support/xenPayloads';

// Issue 10 §4 through the language server: each sample scenario's lines sent one by one as
// `livepatch.emulator.run` to a server whose target is the scenario's, with the same checks as
// the CLI's, and the livepatch/emulatorState notification showing the Linux session.

buildSamples();
const clients = new Map<string, LspClient>();
after(() => clients.forEach((c) => c.kill()));

async function server(target: string): Promise<LspClient> {
  let client = clients.get(target);
  if (!client) {
    client = new LspClient(path.join(distDir, 'server.js'));
    await client.initialize(repoRoot, { target, sourceRoot: '' });
    clients.set(target, client);
  }
  return client;
}

async function send(client: LspClient, args: object): Promise<{ answer: EmulatorCommandResult; state: LinuxEmulatorState }> {
  const seen = client.notifications.length;
  const answer = await client.request<EmulatorCommandResult>('workspace/executeCommand', { command: 'livepatch.emulator.run', arguments: [args] }, 60000);
  const state = client.notifications.slice(seen).find((n) => n.method === 'livepatch/emulatorState')?.params as EmulatorState | undefined;
  if (state?.runtime !== 'linux') assert.fail(`the state notification is not the kernel session's: ${state?.runtime}`);
  return { answer, state };
}

/** What the editor is told along the way: the patches, the transition and who blocks it, the tasks. */
const stateChecks: Record<string, (states: LinuxEmulatorState[], ran: RanCommand[]) => void> = {
  'blocking-task': (states, ran) => {
    const during = states[ran.findIndex((r) => r.text === 'ps')];
    assert.equal(during.transition?.patch, 'lp_sleepy_patch');
    assert.equal(during.transition?.target, 'patched');
    assert.deepEqual(
      during.transition?.blocking.map((b) => b.function),
      ['sleepy_work_fn'],
      'the one kworker asleep in the function being patched',
    );
    const patch = during.patches.find((p) => p.name === 'lp_sleepy_patch')!;
    assert.deepEqual([patch.enabled, patch.transition, patch.objects[0].name, patch.objects[0].funcs[0].name], [true, true, 'sleepy_work', 'sleepy_work_fn']);
    assert.ok(during.modules.some((m) => m.name === 'sleepy_work' && !m.livepatch) && during.modules.some((m) => m.name === 'lp_sleepy_patch' && m.livepatch));
    const last = states.at(-1)!;
    assert.equal(last.transition, undefined, 'no transition once complete');
    assert.ok(last.tasks.every((t) => t.patchState === -1));
  },
  'stacked-patches': (states, ran) => {
    const during = states[ran.findIndex((r) => r.text === 'ps')];
    const funcs = Object.fromEntries(during.patches.map((p) => [p.name, p.objects[0].funcs[0]]));
    assert.deepEqual([funcs.lp_minor1.transition, funcs.lp_minor2.transition], [undefined, true], 'func->transition only on the func being removed');
    assert.equal(during.transition?.target, 'unpatched');
    const held = during.tasks.find((t) => t.stack.some((f) => f.startsWith('lp_minor2_minor_version')));
    assert.equal(held?.patchState, 1);
  },
  'schedule-switch-to': (states, ran) => {
    assert.match(states[ran.findIndex((r) => r.text.startsWith('insmod'))].panicked ?? '', /Attempted to kill the idle task/);
    assert.equal(states.at(-1)!.panicked, undefined, 'reset boots a live kernel');
  },
};

for (const { name, target } of hazardScenarios) {
  test(`samples/scenarios/${name}.sh line by line through livepatch.emulator.run`, async () => {
    const client = await server(target);
    await send(client, { line: 'reset', runtime: 'linux' });
    const file = scenarioPath(name);
    const ran: RanCommand[] = [];
    const states: LinuxEmulatorState[] = [];
    for (const command of commandsOf(parseScript(readFileSync(file, 'utf8'), file))) {
      // The server reads files from its own folder: the scenario's relative paths made absolute.
      const words = command.argv.map((w) => (w.startsWith('../') ? path.resolve(path.dirname(file), w) : w));
      const line = words.join(' ') + (command.redirect ? ` > ${command.redirect.path}` : '');
      const { answer, state } = await send(client, { line, runtime: 'linux' });
      assert.equal(answer.exitCode, command.expect, `${line}: ${answer.stderr}`);
      ran.push({
        text: command.argv.join(' ') + (command.redirect ? ` > ${command.redirect.path}` : ''),
        stdout: answer.stdout,
        stderr: answer.stderr,
        exitCode: answer.exitCode,
        log: answer.console,
        ...(answer.call ? { rax: BigInt(answer.call.rax) } : {}),
      });
      states.push(state);
    }
    hazardChecks[name](ran);
    stateChecks[name]?.(states, ran);
  });
}

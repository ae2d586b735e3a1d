import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { differenceLines, runDifferences } from '../../../server/src/scenario/compareRuns';
import { commandLine, guessRuntime, RuntimeName } from '../../../server/src/scenario/dialect';
import { commandsOf, parseScript } from '../../../server/src/scenario/parse';
import type { CommandResult } from '../../../server/src/scenario/result';
import type { ScenarioJsonLine } from '../../../server/src/scenario/runner';
import { spawnCli } from '../cliProcess';
import type { Ctx } from '../ctx';
import { requireTrust } from '../workspaceTrust';

// Issue 11 §4: a scenario (or the active payload or module) run on a real Linux kernel or Xen
// hypervisor in QEMU, from the editor. The run is `livepatch-lens vm --json` in a child process
// of the extension host, not a request to the language server: a boot and its commands take
// tens of seconds to minutes, and in the server they would hold its process (and its memory for
// the console) for that long beside every analysis; as a child, cancel is a signal to its process
// group (the CLI stops QEMU on SIGINT, and SIGKILL of the group takes QEMU with it), and nothing
// the machine does can take the language server down. The same scenario then runs on the
// emulator (`emu --json`, a second child, milliseconds) and the two are compared line by line,
// normalised as the differential tests normalise them (server/src/scenario/compareRuns.ts).

/** What one run gave: the end-to-end tests read it as the command's result. */
export interface RealMachineRun {
  runtime: RuntimeName;
  exitCode: number | null;
  cancelled: boolean;
  results: CommandResult[];
  /** The CLI's stderr: the boot line, a missing piece, an error. */
  stderr: string;
  /** The progress messages shown, in order. */
  progress: string[];
  /** The comparison with the emulator, as printed in the channel (empty when both agree or the emulator could not run it). */
  differences: string[];
  /** Everything written to the output channel by this run. */
  output: string[];
}

let channel: vscode.OutputChannel | undefined;
let current: { cancel: () => void } | undefined;

const scenarioExtensions = ['.xlp', '.scn', '.sh'];
const settingsSection = 'livepatch.realMachine';

interface Scenario {
  script: string;
  runtime: RuntimeName;
  commands: number;
  /** A generated scenario's folder, removed after the run. */
  scratch?: string;
}

/** The file of the active tab (a text editor or the payload inspector). */
function activeFile(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
}

/** A payload gets `upload; apply; list`, a module `insmod; cat` of its livepatch sysfs folder: the first thing an author checks. */
function generatedScenario(file: string): Scenario {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'livepatch-lens-vm-'));
  const quoted = `'${file.replaceAll("'", `'\\''`)}'`;
  const base = path.basename(file).replace(/\.(livepatch|ko)$/, '');
  const lines = file.endsWith('.ko')
    ? [`insmod ${quoted}`, `cat /sys/kernel/livepatch/${base.replaceAll('-', '_')}/enabled /sys/kernel/livepatch/${base.replaceAll('-', '_')}/transition`]
    : [`upload ${base} ${quoted}`, `apply ${base}`, 'list'];
  const script = path.join(scratch, `${base}.scn`);
  writeFileSync(script, `${lines.join('\n')}\n`);
  return { script, runtime: file.endsWith('.ko') ? 'linux' : 'xen', commands: lines.length, scratch };
}

function scenarioOf(uri: vscode.Uri): Scenario | string {
  const file = uri.fsPath;
  if (file.endsWith('.livepatch') || file.endsWith('.ko')) return generatedScenario(file);
  if (!scenarioExtensions.some((ext) => file.endsWith(ext)))
    return `${path.basename(file)} is not a scenario (${scenarioExtensions.join(', ')}), a Xen payload (.livepatch) or a module (.ko)`;
  try {
    const commands = commandsOf(parseScript(readFileSync(file, 'utf8'), file));
    return { script: file, runtime: file.endsWith('.xlp') ? 'xen' : guessRuntime(commands), commands: commands.length };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The vm flags the settings give (livepatch.realMachine.*); empty settings leave the CLI's defaults. */
function settingFlags(runtime: RuntimeName): string[] {
  const config = vscode.workspace.getConfiguration(settingsSection);
  const flags: string[] = [];
  const text = (key: string, flag: string) => {
    const value = config.get<string>(key, '').trim();
    if (value) flags.push(flag, value);
  };
  const number = (key: string, flag: string) => {
    const value = config.get<number>(key, 0);
    if (value > 0) flags.push(flag, String(value));
  };
  text('kernel', '--kernel');
  if (runtime === 'xen') text('xen', '--xen');
  text('qemu', '--qemu');
  number('memoryMiB', '--memory');
  number('commandTimeoutMs', '--timeout');
  number('bootTimeoutMs', '--boot-timeout');
  return flags;
}

interface CliRun {
  exitCode: number | null;
  results: CommandResult[];
  stderr: string;
}

const resultOf = (json: ScenarioJsonLine): CommandResult => ({
  command: json.command.join(' '),
  stdout: json.stdout,
  stderr: json.stderr,
  exitCode: json.exitCode,
  log: json.log ?? json.console ?? [],
});

/**
 * `node dist/cli.js PROGRAM --json ARGS` in its own process group; each result and each stderr
 * line as it comes. `cancel` sends SIGINT (the CLI stops its machine), then SIGKILL to the whole
 * group 5 s later if it is still there.
 */
function runCli(ctx: Ctx, program: 'vm' | 'emu', args: string[], cwd: string, on: { result?: (r: CommandResult) => void; stderr?: (line: string) => void }) {
  const child = spawnCli(ctx, [program, '--json', ...args], { cwd, detached: true });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const results: CommandResult[] = [];
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const result = resultOf(JSON.parse(line) as ScenarioJsonLine);
      results.push(result);
      on.result?.(result);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const line of chunk.split('\n').filter(Boolean)) on.stderr?.(line);
  });
  let killTimer: NodeJS.Timeout | undefined;
  const done = new Promise<CliRun>((resolve) => {
    child.on('error', (error) => resolve({ exitCode: null, results, stderr: `${stderr}${error.message}\n` }));
    child.on('close', (code) => {
      clearTimeout(killTimer);
      resolve({ exitCode: code, results, stderr });
    });
  });
  const cancel = () => {
    signalGroup('SIGINT');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), 5000);
  };
  return { done, cancel };
}

function print(out: string[], line: string): void {
  out.push(line);
  channel?.appendLine(line);
}

function printResult(out: string[], result: CommandResult, runtime: RuntimeName): void {
  print(out, `$ ${commandLine({ argv: result.command.split(' '), text: result.command }, runtime)}`);
  for (const text of [result.stdout, result.stderr, result.log.join('\n')]) if (text) print(out, text.replace(/\n$/, ''));
  if (result.exitCode !== 0) print(out, `(exit status ${result.exitCode})`);
}

export async function runScenarioOnRealMachine(ctx: Ctx): Promise<RealMachineRun | undefined> {
  if (!requireTrust('Running a scenario on a real kernel or hypervisor')) return undefined;
  if (current) {
    void vscode.window.showWarningMessage('Livepatch Lens: a real machine is already running; cancel it first.');
    return undefined;
  }
  const uri = activeFile();
  const scenario = uri ? scenarioOf(uri) : 'open a scenario (.xlp, .scn, .sh), a Xen payload (.livepatch) or a livepatch module (.ko) first';
  if (typeof scenario === 'string') {
    void vscode.window.showErrorMessage(`Livepatch Lens: ${scenario}`);
    return undefined;
  }
  channel ??= vscode.window.createOutputChannel('Livepatch Real Machine');
  channel.clear();
  channel.show(true);
  const output: string[] = [];
  const shown: string[] = [];
  const what = scenario.runtime === 'xen' ? 'Xen' : 'Linux';
  print(output, `Running ${path.basename(scenario.script)} on real ${what} in QEMU (livepatch-lens vm)`);
  const cwd = path.dirname(scenario.script);
  const args = ['--runtime', scenario.runtime, '--script', scenario.script];
  try {
    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Livepatch: real ${what}`, cancellable: true },
      async (progress, token) => {
        const report = (message: string) => {
          shown.push(message);
          progress.report({ message });
        };
        report(`booting ${what} in QEMU…`);
        let ran = 0;
        const cli = runCli(ctx, 'vm', [...args, ...settingFlags(scenario.runtime)], cwd, {
          result: (r) => {
            printResult(output, r, scenario.runtime);
            ran++;
            if (ran < scenario.commands) report(`running command ${ran + 1} of ${scenario.commands}`);
          },
          stderr: (line) => {
            print(output, line);
            if (/^livepatch-lens vm: booted /.test(line)) report(`booted; running command 1 of ${scenario.commands}`);
          },
        });
        let cancelled = false;
        const cancel = () => {
          cancelled = true;
          cli.cancel();
        };
        current = { cancel };
        const subscription = token.onCancellationRequested(cancel);
        try {
          return { ...(await cli.done), cancelled };
        } finally {
          subscription.dispose();
          current = undefined;
        }
      },
    );
    print(output, run.cancelled ? 'Cancelled: the machine was stopped.' : `livepatch-lens vm exited ${run.exitCode}`);
    const differences = run.cancelled ? [] : await compareWithEmulator(ctx, scenario, cwd, run.results, output);
    if (run.exitCode !== 0 && !run.cancelled)
      void vscode.window.showWarningMessage(`Livepatch Lens: the real machine run exited ${run.exitCode}; see the Livepatch Real Machine output.`);
    return { runtime: scenario.runtime, exitCode: run.exitCode, cancelled: run.cancelled, results: run.results, stderr: run.stderr, progress: shown, differences, output };
  } finally {
    if (scenario.scratch) rmSync(scenario.scratch, { recursive: true, force: true });
  }
}

/** The emulator's run of the same scenario, and what differs from the real one, printed after it. */
async function compareWithEmulator(ctx: Ctx, scenario: Scenario, cwd: string, real: CommandResult[], output: string[]): Promise<string[]> {
  if (!real.length) return [];
  const emulated = await runCli(ctx, 'emu', ['--runtime', scenario.runtime, '--script', scenario.script], cwd, {}).done;
  if (!emulated.results.length) {
    print(output, `The emulator did not run this scenario: ${emulated.stderr.trim().split('\n')[0] ?? ''}`);
    return [];
  }
  const lines = runDifferences(real, emulated.results).flatMap(differenceLines);
  print(
    output,
    lines.length ? 'Differences from the emulator (normalised as the differential tests do):' : 'The emulator gave the same output (normalised as the differential tests do).',
  );
  for (const line of lines) print(output, line);
  return lines;
}

export function cancelRealMachineRun(): boolean {
  if (!current) return false;
  current.cancel();
  return true;
}

export const realMachineCommandTable: Record<string, (ctx: Ctx) => unknown> = {
  'livepatch.runScenarioOnRealMachine': (ctx) => runScenarioOnRealMachine(ctx),
  'livepatch.cancelRealMachineRun': () => cancelRealMachineRun(),
};

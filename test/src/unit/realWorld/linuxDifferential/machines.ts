import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandResult } from '../../../../../server/out/scenario/result';
import type { ScenarioJsonLine } from '../../../../../server/out/scenario/runner';
import { distDir } from '../../../support/paths';

/** A scenario run on one machine: each command's result, in order, as far as the run went; and what the CLI said on stderr. */
export interface MachineRun {
  results: CommandResult[];
  stderr: string;
}

/**
 * Runs a scenario file through the product's CLI, `livepatch-lens emu --runtime R` (the
 * emulator on the sample target) or `livepatch-lens vm --runtime R` (the real kernel or Xen in
 * QEMU, one boot), with `--json`. Its relative paths name files in `dir`: both CLIs read them
 * from the script's folder, so the script runs from a scratch folder of links to it and to
 * `dir`'s modules (Linux) or payloads (Xen). `target`: the emulator's image instead of the sample target.
 */
export async function runScenarioCli(program: 'emu' | 'vm', scenario: string, dir: string, runtime: 'linux' | 'xen' = 'linux', target?: string): Promise<MachineRun> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'll-differential-'));
  const extension = runtime === 'xen' ? '.livepatch' : '.ko';
  try {
    for (const file of readdirSync(dir).filter((f) => f.endsWith(extension))) symlinkSync(path.join(dir, file), path.join(scratch, file));
    const script = path.join(scratch, path.basename(scenario));
    symlinkSync(scenario, script);
    const args = [path.join(distDir, 'cli.js'), program, '--runtime', runtime, ...(target ? ['--target', target] : []), '--json', '--script', script];
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      // A scenario that stops early exits non-zero; its lines up to there are still the run.
      execFile(process.execPath, args, { encoding: 'utf8', timeout: 110_000, maxBuffer: 64 << 20 }, (_error, out, err) => resolve({ stdout: out, stderr: err }));
    });
    const results = stdout
      .split('\n')
      .filter(Boolean)
      .map((line): CommandResult => {
        const json = JSON.parse(line) as ScenarioJsonLine;
        return { command: json.command.join(' '), stdout: json.stdout, stderr: json.stderr, exitCode: json.exitCode, log: json.log ?? json.console ?? [] };
      });
    return { results, stderr };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

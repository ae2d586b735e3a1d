import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromRoot } from '../support/paths';

/** What the UI scenario drives: the VS Code server of scripts/ensure-code-server.sh, Debian's chromium, the packaged extension. */
export interface UiHost {
  serverMain: string;
  chromium: string;
  vsix: string;
}

/** The pieces, or the sentence the scenario skips with (what to install, and how). */
export function uiHost(): { host: UiHost; skip?: undefined } | { host?: undefined; skip: string } {
  const missing: string[] = [];
  const check = spawnSync('bash', [fromRoot('scripts', 'ensure-code-server.sh'), '--check'], { encoding: 'utf8' });
  const serverMain = check.stdout.trim();
  if (check.status !== 0 || !existsSync(serverMain)) missing.push('the VS Code server (bash scripts/ensure-code-server.sh)');
  const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) missing.push(`chromium at ${chromium} (apt-get install chromium)`);
  const vsix = fromRoot('livepatch-lens.vsix');
  if (!existsSync(vsix)) missing.push('livepatch-lens.vsix (npm run package)');
  return missing.length ? { skip: `no ${missing.join(', no ')}` } : { host: { serverMain, chromium, vsix } };
}

export interface RunningServer {
  url: string;
  /** A fresh folder: the user's home, where the scenario copies the samples. */
  home: string;
  log: string;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/**
 * The .vsix installed as a user installs it (`--install-extension`), then the VS Code server
 * started on it with a profile of its own, in its own process group so that stop() ends the
 * extension host and the language server with it.
 */
export async function startCodeServer(host: UiHost): Promise<RunningServer> {
  const run = mkdtempSync(path.join(os.tmpdir(), 'livepatch-ui.'));
  const [home, extensions, user, server] = ['home', 'ext', 'user', 'server'].map((d) => path.join(run, d));
  for (const dir of [home, extensions, path.join(user, 'User'), server]) mkdirSync(dir, { recursive: true });
  // No startup editor, no tips: the scenario opens what it needs, as a user would.
  writeFileSync(path.join(user, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false }));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share') };
  const common = ['--extensions-dir', extensions, '--user-data-dir', user];
  const install = spawnSync(process.execPath, [host.serverMain, ...common, '--install-extension', host.vsix], { env, encoding: 'utf8', timeout: 120_000 });
  if (install.status !== 0) throw new Error(`installing ${host.vsix} failed:\n${install.stdout}${install.stderr}`);

  const port = await freePort();
  const log = path.join(run, 'server.log');
  const out = openSync(log, 'w');
  const child = spawn(
    process.execPath,
    [
      host.serverMain,
      ...common,
      '--server-data-dir',
      server,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--disable-telemetry',
      // Trust is what the untrusted e2e suite is about; here the folder is the user's own copy.
      '--disable-workspace-trust',
    ],
    { env, detached: true, stdio: ['ignore', out, out] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const killed = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(killed);
  };
  for (const deadline = Date.now() + 60_000; ;) {
    if (
      await fetch(url)
        .then((r) => r.ok)
        .catch(() => false)
    )
      break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the VS Code server did not answer at ${url}; its log: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, home, log, stop };
}

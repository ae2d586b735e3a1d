import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/**
 * The extensionTestsPath module: VS Code's extension host calls run() after loading the
 * extension under test. The same suite runs under code-server (npm test) and
 * @vscode/test-electron (npm run test:e2e:electron, where a desktop VS Code can be downloaded).
 */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60000 });
  // The untrusted-workspace suite needs a VS Code with Workspace Trust on: a run of its own.
  const suffix = process.env.E2E_UNTRUSTED ? '.untrusted.js' : '.e2e.js';
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith(suffix)) mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, failures, pending: 0 };
      if (process.env.E2E_RESULT_FILE) {
        fs.writeFileSync(process.env.E2E_RESULT_FILE, JSON.stringify({ passes: stats.passes, failures: stats.failures, pending: stats.pending }));
      }
      if (failures > 0) reject(new Error(`${failures} end-to-end tests failed`));
      else resolve();
    });
  });
}

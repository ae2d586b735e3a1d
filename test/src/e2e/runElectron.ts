import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { fixture, repoRoot } from '../support/paths';

/**
 * `npm run test:e2e:electron`: the same mocha suite in a desktop VS Code downloaded by
 * @vscode/test-electron. Only for machines that can reach the VS Code download service; CI
 * here cannot, so it runs the suite under code-server instead (scripts/test-vscode.sh).
 */
async function main(): Promise<void> {
  const workspace = fixture('c');
  process.env.E2E_WORKSPACE = workspace;
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(__dirname, 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error) => {
  console.error(`e2e (electron) could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

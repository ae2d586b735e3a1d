// Opens the VS Code workbench served by the VS Code server in headless Chromium, with the
// extension under development and its mocha suite in the URL payload. The tests run in the
// server's Node extension host; the browser is only the window. The workbench reports the
// result through window.codeAutomationExit(code).
// Env: VSCODE_URL, EXT_DEV_PATH, EXT_TESTS_PATH, WORKSPACE, [SCREENSHOT], [TEST_TIMEOUT_MS], [CHROMIUM]
import { chromium } from 'playwright-core';

const base = process.env.VSCODE_URL;
const authority = new URL(base).host;
const payload = [
  ['extensionDevelopmentPath', `vscode-remote://${authority}${process.env.EXT_DEV_PATH}`],
  ['extensionTestsPath', `vscode-remote://${authority}${process.env.EXT_TESTS_PATH}`],
];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let code;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  await page.exposeFunction('codeAutomationLog', (_type, args) => console.log(...args));
  await page.exposeFunction('codeAutomationExit', (exitCode) => done(exitCode));
  const timer = setTimeout(() => done('timeout'), Number(process.env.TEST_TIMEOUT_MS || 300000));
  await page.goto(`${base}/?folder=${encodeURIComponent(process.env.WORKSPACE)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  code = await finished;
  clearTimeout(timer);
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT }).catch(() => {});
} finally {
  await browser.close();
}
if (code !== 0) console.error(`the extension host test run ended with: ${code}`);
process.exit(code === 0 ? 0 : 1);

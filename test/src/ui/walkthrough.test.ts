import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fromRoot } from '../support/paths';
import { startCodeServer, uiHost, type RunningServer } from './codeServer';
import {
  answer,
  goToLine,
  hoverText,
  hoverWord,
  notifications,
  openFile,
  pickFile,
  quickInput,
  rowAction,
  runCommand,
  scrollHover,
  scrollLineUp,
  sideBarRows,
  until,
} from './workbench';

// A new user's first sitting, in a real VS Code (the VS Code server of code-server, in Debian's
// chromium), with the packaged .vsix installed: the walkthrough, the sample workspace it copies,
// a diagnostic, the hello-world payload uploaded and applied from the Livepatch view,
// xen_extra_version called, a hover on the patched function, the emulator panel. Each step is asserted on what the
// workbench shows (tree labels, hover and notification text), each figure against its own source:
// package.json for the walkthrough, the CLI for the diagnostic, nm for the address, the
// payload's C source for the string. Screenshots go to test/out/screenshots/ for a person to look at.

const { host, skip } = uiHost();
const shots = fromRoot('test', 'out', 'screenshots');
const manifest = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as {
  contributes: { walkthroughs: Array<{ title: string; steps: Array<{ title: string }> }> };
};
const walkthrough = manifest.contributes.walkthroughs[0];
const hello = /return "([^"]*)";/.exec(readFileSync(fromRoot('samples', 'payloads/xen/xen_hello_world_func.c'), 'utf8'))![1];
const patchName = 'pick-next-task-inlined-into-schedule.patch';

/** What the CLI finds in the patch: the editor must show the same error. */
const cliError = (): { code: string; message: string } => {
  // Exit status 1: it found errors.
  const { stdout } = spawnSync(
    process.execPath,
    [fromRoot('dist', 'cli.js'), 'check', `samples/patches/${patchName}`, '--source-root', 'samples', '--target', 'samples/build/target/sample-target', '--format', 'json'],
    { cwd: fromRoot(), encoding: 'utf8' },
  );
  const error = (JSON.parse(stdout) as Array<{ severity: string; code: string; message: string }>).find((f) => f.severity === 'error');
  assert.ok(error, `the CLI finds an error in ${patchName}`);
  return error;
};

/** xen_extra_version's address in the sample target, as binutils reads it. */
const nmAddress = (symbol: string): string => {
  const line = execFileSync('nm', [fromRoot('samples', 'build/target/sample-target')], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.endsWith(` T ${symbol}`));
  assert.ok(line, `nm lists ${symbol}`);
  return `0x${line.split(' ')[0]}`;
};

describe('A first sitting with Livepatch Lens in a real VS Code (Playwright)', { skip, timeout: 600_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let samples: string;
  const shot = async (name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> => {
    // Animations finished: a hover is caught faded in, not half way.
    await page.screenshot({ path: path.join(shots, name), animations: 'disabled', ...(clip ? { clip } : {}) });
  };
  const openWalkthrough = async (): Promise<void> => {
    await runCommand(page, 'Welcome: Open Walkthrough...');
    await quickInput(page).locator('.monaco-list-row', { hasText: walkthrough.title }).first().click();
    await page.locator('.getting-started-step').first().waitFor();
  };
  const step = (title: string) => page.locator('.getting-started-step', { hasText: title });
  /** The step's checkbox, ticked by the commands its completionEvents name. */
  const stepDone = async (title: string): Promise<boolean> => (await step(title).locator('[role=checkbox]').getAttribute('aria-checked')) === 'true';

  before(async () => {
    mkdirSync(shots, { recursive: true });
    server = await startCodeServer(host!);
    mkdirSync(path.join(server.home, 'projects'));
    browser = await chromium.launch({
      executablePath: host!.chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(30_000);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(path.join(server.home, 'projects'))}`);
    await page.locator('.monaco-workbench .part.editor').waitFor({ timeout: 90_000 });
  });

  after(async () => {
    // What the workbench showed last: where a failing step stopped.
    await page?.screenshot({ path: path.join(shots, 'last.png') }).catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('the walkthrough lists its steps, and its first one copies the sample workspace and opens it', async () => {
    await openWalkthrough();
    const titles = await page.locator('.getting-started-step .step-title').allInnerTexts();
    assert.deepEqual(
      titles,
      walkthrough.steps.map((s) => s.title),
    );
    await page.getByRole('button', { name: 'Open Sample Workspace' }).click();
    // The folder dialog (VS Code's own, in the browser) starts in the open folder: the copy goes there.
    const opened = page.waitForURL(/livepatch-samples/, { timeout: 60_000 });
    await quickInput(page).getByRole('button', { name: 'Copy the samples here' }).click();
    await opened;
    samples = path.join(server.home, 'projects', 'livepatch-samples');
    assert.equal(decodeURIComponent(new URL(page.url()).searchParams.get('folder') ?? ''), samples);
    await page.locator('.part.sidebar .monaco-list-row', { hasText: 'payloads' }).waitFor({ timeout: 90_000 });
    const explorer = await sideBarRows(page);
    for (const entry of ['build', 'patches', 'payloads', 'scenarios', 'target', 'demo.xlp'])
      assert.ok(explorer.includes(entry), `${entry} in the explorer: ${explorer.join(', ')}`);
  });

  it('see a diagnostic: Check Workspace from the walkthrough, then the patch shows the error the CLI finds, in a hover and in Problems', async () => {
    await openWalkthrough();
    assert.equal(await stepDone(walkthrough.steps[0].title), true, 'the first step is ticked');
    assert.equal(await stepDone('See a diagnostic'), false);
    await step('See a diagnostic').click();
    await page.getByRole('button', { name: 'Check Workspace' }).click();
    await until(
      'the status bar after Check Workspace',
      () => page.locator('.part.statusbar').innerText(),
      (text) => /Livepatch: checked \d+ of \d+ file\(s\)/.test(text),
      60_000,
    );
    const expected = cliError();
    await openFile(page, patchName);
    const squiggle = page.locator('.editor-instance .squiggly-error').first();
    await squiggle.waitFor({ timeout: 60_000 });
    const box = (await squiggle.boundingBox())!;
    await page.mouse.move(box.x + 10, box.y + box.height / 2);
    const hover = await hoverText(page);
    assert.ok(hover.includes(expected.message), `the hover has the CLI's message:\n${hover}`);
    assert.ok(hover.includes(expected.code), `the hover names ${expected.code}`);
    await shot('diagnostic.png');
    await page.keyboard.press('Escape');
    await runCommand(page, 'View: Focus Problems');
    const filter = page.locator('.part.panel input[aria-label="Filter Problems"]');
    await filter.fill(patchName);
    const problems = await until(
      `the Problems panel filtered on ${patchName}`,
      () => page.locator('.markers-panel .monaco-list-row').allInnerTexts(),
      (rows) => rows[0]?.startsWith(patchName) && rows.some((r) => r.includes(expected.code)),
    );
    assert.ok(
      problems.some((r) => r.includes(expected.message.slice(0, 60))),
      problems.join(' | '),
    );
    await filter.fill('');
  });

  it('apply a payload: the Livepatch view from the walkthrough, upload and apply xen_hello_world from its inline actions', async () => {
    await page.locator('.tab', { hasText: 'Walkthrough' }).click();
    await step('Apply a payload').click();
    await page.getByRole('button', { name: 'Open the Livepatch view' }).click();
    const first = await until(
      'the Livepatch view',
      () => sideBarRows(page),
      (rows) => rows.some((r) => r.startsWith('Xen hypervisor')),
    );
    assert.ok(
      first.some((r) => /^Target: sample-target\s*either · build-id [0-9a-f]{40}$/.test(r)),
      first.join(' | '),
    );
    await rowAction(page, 'Xen hypervisor', 'Emulator: Upload Payload...');
    await pickFile(page, path.join(samples, 'build/payloads/xen/xen_hello_world.livepatch'));
    await until(
      'the uploaded payload in the view',
      () => sideBarRows(page),
      (rows) => rows.some((r) => /^xen_hello_world\s*CHECKED$/.test(r)),
    );
    await rowAction(page, /^xen_hello_world\s*CHECKED$/, 'Emulator: Apply');
    const rows = await until(
      'the applied payload in the view',
      () => sideBarRows(page),
      (r) => r.some((row) => /^xen_hello_world\s*APPLIED$/.test(row)),
    );
    const func = rows.find((r) => r.startsWith('xen_extra_version'));
    assert.match(func ?? '', new RegExp(`^xen_extra_version\\s*applied · ${nmAddress('xen_extra_version')} → 0x[0-9a-f]+$`));
    assert.ok(
      rows.some((r) => /^Build-id chain\s*1 applied$/.test(r)),
      rows.join(' | '),
    );
    const sideBar = (await page.locator('.part.sidebar').boundingBox())!;
    await shot('view.png', sideBar);
    await page.locator('.tab', { hasText: 'Walkthrough' }).click();
    assert.deepEqual(await Promise.all(['See a diagnostic', 'Apply a payload', 'Watch a transition'].map(stepDone)), [true, true, false], 'the walkthrough ticks what was done');
  });

  it("call xen_extra_version: the emulator returns the payload's string", async () => {
    await runCommand(page, 'Livepatch: Emulator: Call Function...');
    await answer(page, 'xen_extra_version');
    const toast = await until(
      'the call result',
      () => notifications(page),
      (text) => text.includes('xen_extra_version() ='),
    );
    assert.match(toast, new RegExp(`xen_extra_version\\(\\) = 0x[0-9a-f]+ -> "${hello}"`));
  });

  it('a hover on the patched function says which payload has it and shows the jmp now at its old_addr', async () => {
    await page.keyboard.press('Escape');
    const viewRow = (await sideBarRows(page)).find((r) => r.startsWith('xen_extra_version'))!;
    const newAddr = /→ (0x[0-9a-f]+)$/.exec(viewRow)![1];
    // Problems under the editor, showing the patches' findings (the ones the walkthrough opened).
    await runCommand(page, 'View: Focus Problems');
    await page.locator('.part.panel input[aria-label="Filter Problems"]').fill('**/*.patch');
    await openFile(page, 'xen_hello_world.c');
    await goToLine(page, 38);
    // The struct near the top of the editor (not under its sticky header), so that the hover opens below the line.
    await scrollLineUp(page, '.old_addr', 110);
    await hoverWord(page, '.old_addr', 'xen_extra_version');
    const hover = await until(
      'the hover on .old_addr',
      () => hoverText(page),
      (text) => text.includes('In the emulated hypervisor'),
    );
    assert.match(hover, /applied by xen_hello_world \(APPLIED\)/);
    assert.ok(hover.includes(`old_addr ${nmAddress('xen_extra_version')}`), hover);
    assert.match(hover, new RegExp(`jmp\\s+${newAddr.slice(2)}`), `the jmp goes to the new function the view shows (${newAddr})`);
    // The part of the hover a user scrolls to: the emulator's state and the bytes now at old_addr.
    await scrollHover(page, 400);
    assert.match(await hoverText(page), /applied by xen_hello_world/, 'the hover stays open while the mouse is in it');
    await shot('hover.png');
    // The extension's page (README.md): the view, the hover, Problems with the patches' findings.
    // Cropped below the title bar and left of the minimap: under 150 KB.
    await shot('livepatch-lens.png', { x: 0, y: 35, width: 1170, height: 645 });
  });
  it("the emulator panel, from the view's title bar: the session and the event log of what was done", async () => {
    await page.keyboard.press('Escape');
    // Problems hidden (Ctrl+J), so the editor area and the panel beside it get the window's height.
    await page.keyboard.press('Control+J');
    await page.locator('.part.panel').waitFor({ state: 'hidden' });
    await page.locator('.part.sidebar .title-actions .action-label[aria-label*="Show Emulator Panel"]').click();
    // The webview's page sits two iframes down: VS Code's host frame, then the page's own.
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const xen = await until(
      'the Xen session in the panel',
      () =>
        panel
          .locator('#xen')
          .innerText({ timeout: 1000 })
          .catch(() => ''),
      (text) => text.includes('xen_hello_world: APPLIED'),
    );
    assert.match(xen, /applied stack: xen_hello_world/);
    assert.match(xen, /build-id [0-9a-f]{40}/);
    const events = await panel.locator('#log .event').allInnerTexts();
    const upload = events.findIndex((e) => /\$ .*upload .*xen_hello_world/.test(e));
    const apply = events.findIndex((e) => /\$ .*apply xen_hello_world/.test(e));
    const call = events.findIndex((e) => /\$ .*call xen_extra_version/.test(e));
    assert.ok(upload >= 0 && upload < apply && apply < call, `upload, apply, call in that order:\n${events.join('\n---\n')}`);
    assert.ok(events[call].includes(`"${hello}"`), events[call]);
    const editors = (await page.locator('.part.editor').boundingBox())!;
    // The mouse off the title bar's action, or its tooltip is in the picture.
    await page.mouse.move(editors.x + editors.width - 100, editors.y + editors.height - 50);
    await page
      .locator('.workbench-hover')
      .waitFor({ state: 'detached', timeout: 5000 })
      .catch(() => undefined);
    await shot('panel.png', editors);
  });
});

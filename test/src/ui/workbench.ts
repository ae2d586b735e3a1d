import type { Locator, Page } from 'playwright-core';

// What a user does in the VS Code workbench, as Playwright does it: the keyboard and the mouse,
// and what the workbench then shows read back from the DOM (labels, text), never from pixels.
// The selectors are VS Code 1.100's (the version scripts/ensure-code-server.sh pins).

export const quickInput = (page: Page): Locator => page.locator('.quick-input-widget');
const quickInputBox = (page: Page): Locator => quickInput(page).locator('input');

/** Polls a reading of the page until it passes; the failure says what was last read. */
export async function until<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Types into the open quick input and takes the row whose text starts with `label`. */
async function pick(page: Page, typed: string, label: string): Promise<void> {
  await quickInputBox(page).fill(typed);
  const row = quickInput(page).locator('.monaco-list-row', { hasText: label }).first();
  await row.waitFor();
  await row.click();
}

/** F1, the command's title, Enter: the command palette. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await quickInputBox(page).waitFor();
  await pick(page, `>${title}`, title);
}

/** Ctrl+P, the file's name: Quick Open. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await quickInputBox(page).waitFor();
  await pick(page, name, name);
  await page.locator('.tab.active', { hasText: name }).waitFor();
}

/** Answers an open quick input (a file dialog, an input box) with `text` and Enter. */
export async function answer(page: Page, text: string): Promise<void> {
  await quickInputBox(page).waitFor();
  await quickInputBox(page).fill(text);
  await page.keyboard.press('Enter');
}

/**
 * Picks a file in VS Code's own file dialog (the one the browser workbench shows): the path typed
 * in once the dialog has shown its starting folder, and Enter when it lists the file. The dialog
 * may still be settling its starting folder when the path goes in: then it is typed again.
 */
export async function pickFile(page: Page, file: string): Promise<void> {
  const listed = quickInput(page)
    .locator('.monaco-list-row', { hasText: file.split('/').pop() })
    .first();
  for (let attempt = 1; ; attempt++) {
    await until(
      'the file dialog',
      () => quickInputBox(page).inputValue(),
      (value) => value.endsWith('/'),
    );
    await quickInputBox(page).fill(file);
    const shown = await listed.waitFor({ timeout: 5000 }).then(
      () => true,
      () => false,
    );
    if (shown && (await quickInputBox(page).inputValue()) === file) break;
    if (attempt === 3) throw new Error(`the file dialog does not list ${file}: it shows ${await quickInput(page).innerText()}`);
  }
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden' });
}

/** Ctrl+G (Quick Open's `:` mode): the editor scrolls the line into view. */
export async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  await answer(page, `:${line}`);
}

/** Scrolls the editor a line at a time (Ctrl+Down) until the line that contains `lineText` is at most `maxTop` pixels under its top. */
export async function scrollLineUp(page: Page, lineText: string, maxTop: number): Promise<void> {
  const editor = (await page.locator('.editor-instance .monaco-editor .overflow-guard').first().boundingBox())!;
  const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: lineText }).first();
  for (let y = (await line.boundingBox())!.y - editor.y; y > maxTop;) {
    await page.keyboard.press('Control+ArrowDown');
    y = await until(
      'the editor scrolled a line',
      async () => (await line.boundingBox())!.y - editor.y,
      (now) => now < y,
      5000,
    );
  }
}

/**
 * Moves the mouse onto `word` in the visible editor line that contains `lineText`. The editor's
 * font is monospaced, so the word's place is its column times the width of one character.
 */
export async function hoverWord(page: Page, lineText: string, word: string): Promise<void> {
  const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: lineText }).first();
  await line.waitFor();
  const text = (await line.textContent()) ?? '';
  const box = (await line.locator('span').first().boundingBox())!;
  const column = text.indexOf(word);
  if (column < 0) throw new Error(`"${word}" is not in the line "${text}"`);
  const charWidth = box.width / text.length;
  await page.mouse.move(box.x + (column + word.length / 2) * charWidth, box.y + box.height / 2);
}

/** The text of the editor's hover widget (not the workbench's tooltips). */
export async function hoverText(page: Page): Promise<string> {
  const hover = page.locator('.monaco-resizable-hover > .monaco-hover:not(.hidden)').first();
  await hover.waitFor({ timeout: 15_000 });
  return hover.innerText();
}

/** Moves the mouse into the editor's hover (it stays open) and scrolls its content with the wheel. */
export async function scrollHover(page: Page, deltaY: number): Promise<void> {
  const box = (await page.locator('.monaco-resizable-hover > .monaco-hover:not(.hidden)').first().boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 20, { steps: 5 });
  await page.mouse.wheel(0, deltaY);
  await page.waitForTimeout(300);
}

/** The rows of the visible tree view in the side bar, as their text (label and description). */
export const sideBarRows = (page: Page): Promise<string[]> => page.locator('.part.sidebar .monaco-list-row').allInnerTexts();

/** Clicks one of a side-bar tree row's inline actions (they show on hover). */
export async function rowAction(page: Page, rowText: string | RegExp, action: string): Promise<void> {
  const row = page.locator('.part.sidebar .monaco-list-row', { hasText: rowText }).first();
  await row.hover();
  await row.locator(`.actions .action-label[aria-label="${action}"]`).click();
}

/** The notification toasts' text. */
export const notifications = (page: Page): Promise<string> =>
  page
    .locator('.notifications-toasts')
    .innerText()
    .catch(() => '');

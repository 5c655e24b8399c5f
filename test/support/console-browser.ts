import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { PROJECT_ROOT } from './built-server';
import { CHROMIUM_ARGS, chromiumExecutable } from './chromium';

export const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts');

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Headless Chromium as the browser specs drive it; the worker's own signals stay jest's. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumExecutable(), args: CHROMIUM_ARGS, headless: true, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
}

/**
 * What a page did that it must not: dialogs opened (an injected `alert`), scripts or styles the
 * CSP refused, errors thrown in the page.
 */
export function watchPage(page: Page): { dialogs: string[]; cspViolations: string[]; pageErrors: string[] } {
  const seen = { dialogs: [] as string[], cspViolations: [] as string[], pageErrors: [] as string[] };
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => seen.pageErrors.push(error.message));
  return seen;
}

/**
 * axe-core's serious and critical findings on the page as it is now, one line each. Evaluated
 * through the DevTools protocol, which the page's CSP does not govern, so the page keeps its own.
 */
interface Violation {
  id: string;
  impact: string | null;
  targets: string[];
}

export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  // A string, evaluated in the page: the spec's own types know nothing of the DOM or of axe.
  const violations = await page.evaluate<Violation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) })))`,
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.targets.slice(0, 3).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Signs in from the keyboard alone, as a person with no mouse would. */
export async function signInByKeyboard(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/console`);
  await page.locator('#token').waitFor();
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
}

/** True when the page is wider than its viewport (a phone would have to scroll sideways). */
export async function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth + 1');
}

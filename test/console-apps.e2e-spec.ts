import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { assertBuilt, NpmServer, startNpmServer } from './support/built-server';
import { axeViolations, launchChromium, screenshot, signInByKeyboard, watchPage } from './support/console-browser';
import { ADMIN_TOKEN } from './support/test-env';

const exec = promisify(execFile);
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

/** The console's apps page on the built server: mint, use, tighten and revoke a token without curl. */
describe('the console: apps and tokens', () => {
  let server: NpmServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  let token: string;

  const run = (bearer: string) =>
    fetch(`${server.base}/run`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'hello' }) });

  beforeAll(async () => {
    assertBuilt();
    [server, browser] = await Promise.all([startNpmServer({ RUN_WARM_POOL: '0' }), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
    page = await context.newPage();
    seen = watchPage(page);
    await signInByKeyboard(page, server.base, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Apps and tokens' }).click();
    await page.getByRole('table', { name: 'Every token, oldest first' }).waitFor();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const row = (name: string) => page.getByRole('table', { name: 'Every token, oldest first' }).getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });

  it('shows the refusal of a hostile name as text, running nothing', async () => {
    await page.getByLabel('App name').fill(HOSTILE_NAME);
    await page.getByRole('button', { name: 'Mint token' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('name must match');
    await page.getByLabel('App name').fill('');
    expect(await page.locator('img').count()).toBe(0);
    expect(seen.dialogs).toEqual([]);
  });

  it('mints a token, shows it once with a copy button, and the snippets shown work as pasted', async () => {
    await page.getByLabel('App name').fill('cauldron');
    await page.locator('#mint-budget_usd_month').fill('5');
    await page.getByRole('button', { name: 'Mint token' }).click();
    await page.getByRole('heading', { name: 'Token for cauldron' }).waitFor();
    token = await page.locator('#minted-token').inputValue();
    expect(token).toMatch(/^cf_/);
    await page.getByRole('button', { name: 'Copy token' }).click();
    await page.getByText('Copied.').waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(token);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-apps-minted');

    // The curl and Python snippets run as pasted, side by side.
    const minted = page.getByRole('region', { name: 'Token for cauldron' });
    const curl = await minted.locator('pre', { hasText: 'curl' }).innerText();
    const python = await minted.locator('pre', { hasText: 'urllib' }).innerText();
    const [shell, py] = await Promise.all([exec('sh', ['-c', curl], { timeout: 30_000 }), exec('python3', ['-c', python], { timeout: 30_000 })]);
    expect(JSON.parse(shell.stdout)).toMatchObject({ ok: true, result: 'You said: Name three grains, as a JSON array.' });
    expect(py.stdout.trim()).toBe('You said: Name three grains, as a JSON array.');
    for (const language of ['TypeScript', 'Rust']) expect(await page.getByRole('heading', { name: language, exact: true }).count()).toBe(1);
    expect(await row('cauldron').innerText()).toMatch(/live[\s\S]*\$5\/month/);
  });

  it('sees the minted token’s runs in the audit tail and its spend in the chart, with the ledger’s total', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText(/rows shown/).waitFor();
    await page.getByRole('button', { name: 'Live tail' }).click();
    expect((await run(token)).status).toBe(200);
    const runs = page.locator('table.audit tbody tr.fresh', { hasText: 'POST /run' }).filter({ hasText: 'cauldron' });
    await runs.first().waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Live tail: on' }).click();

    const ledger = (await (await fetch(`${server.base}/admin/usage?token=cauldron`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { items: { runs: number; cost_usd: number }[] };
    expect(ledger.items[0].runs).toBe(3);
    const spent = ledger.items[0].cost_usd;
    expect(spent).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Spend' }).click();
    await page.getByLabel('App', { exact: true }).selectOption('cauldron');
    await page.locator('p.total', { hasText: 'Spend per cauldron' }).waitFor();
    const shown = Number((await page.locator('p.total').getAttribute('data-total')) ?? NaN);
    expect(shown).toBeCloseTo(spent, 9);
    expect(await page.getByRole('img', { name: /Spend per cauldron/ }).locator('rect').count()).toBe(1);
    await page.getByRole('link', { name: 'Apps and tokens' }).click();
    await page.getByRole('table', { name: 'Every token, oldest first' }).waitFor();
  });

  it('tightens a limit in a dialog, and /run is refused by it', async () => {
    await page.getByRole('button', { name: 'Edit limits of cauldron' }).click();
    const dialog = page.getByRole('dialog', { name: 'Limits of cauldron' });
    await dialog.waitFor();
    expect(await dialog.locator('#edit-budget_usd_month').inputValue()).toBe('5');
    await dialog.locator('#edit-runs_per_minute').fill('1');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-apps-edit');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await row('cauldron').filter({ hasText: '1/min' }).waitFor();
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await run(token)).status);
    expect(statuses).toEqual([200, 429]);
  });

  it('revokes only after a confirmation naming the app, from the keyboard, and the token gets 401', async () => {
    await page.getByRole('button', { name: 'Revoke cauldron' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the token of cauldron?' });
    await dialog.waitFor();
    // Escape keeps it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await row('cauldron').innerText()).toContain('live');
    expect((await run(token)).status).not.toBe(401);

    await page.getByRole('button', { name: 'Revoke cauldron' }).click();
    await dialog.waitFor();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Revoke cauldron');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await row('cauldron').filter({ hasText: 'revoked' }).waitFor();
    expect((await run(token)).status).toBe(401);
    await screenshot(page, 'console-apps-revoked');
    expect(seen.dialogs).toEqual([]);
    expect(seen.cspViolations).toEqual([]);
    expect(seen.pageErrors).toEqual([]);
  });
});

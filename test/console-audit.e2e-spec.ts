import { Browser, Page } from 'playwright-core';
import { assertBuilt, NpmServer, startNpmServer } from './support/built-server';
import { axeViolations, launchChromium, screenshot, signInByKeyboard, watchPage } from './support/console-browser';
import { ADMIN_TOKEN } from './support/test-env';

const HOSTILE = '<img src=x onerror=alert(1)>';

/** The console's audit page on the built server: the live tail, filters, paging and a row's details. */
describe('the console: the audit log', () => {
  let server: NpmServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  let token: string;

  const call = (path: string, bearer: string, body?: unknown) =>
    fetch(`${server.base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    assertBuilt();
    [server, browser] = await Promise.all([startNpmServer({ RUN_WARM_POOL: '0' }), launchChromium()]);
    token = ((await (await call('/admin/tokens', ADMIN_TOKEN, { name: 'cauldron' })).json()) as { token: string }).token;
    // More rows than a page holds, so there is an older page.
    for (let i = 0; i < 55; i++) expect((await call('/usage', token)).status).toBe(200);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    seen = watchPage(page);
    await signInByKeyboard(page, server.base, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText('50 rows shown').waitFor();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const rows = () => page.locator('table.audit tbody tr[data-id]');

  it('pages back to the oldest row with the cursor', async () => {
    await page.getByRole('button', { name: 'Older rows' }).click();
    await page.getByText(/rows shown, the oldest included/).waitFor();
    const ids = await rows().evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-id'))));
    expect(ids.length).toBeGreaterThan(55);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(await page.getByRole('button', { name: 'Older rows' }).isDisabled()).toBe(true);
  });

  it('shows a run and a failure in the live tail as they happen, the failure marked', async () => {
    const tail = page.getByRole('button', { name: 'Live tail' });
    await tail.focus();
    await page.keyboard.press('Space');
    expect(await tail.getAttribute('aria-pressed')).toBe('true');
    expect((await call('/run', token, { prompt: 'seen in the tail' })).status).toBe(200);
    expect((await call('/run', 'cf_not-a-real-token', { prompt: 'refused' })).status).toBe(401);
    const run = rows().filter({ hasText: 'POST /run' }).filter({ hasText: 'cauldron' });
    await run.first().waitFor({ timeout: 10_000 });
    const refused = rows().filter({ hasText: '401 failed' });
    await refused.first().waitFor({ timeout: 10_000 });
    expect(await refused.first().getAttribute('class')).toContain('failed');
    expect(await run.first().innerText()).toMatch(/POST \/run\s+200\s/);
    await screenshot(page, 'console-audit-tail');
    await tail.click();
    expect(await tail.getAttribute('aria-pressed')).toBe('false');
  });

  it('filters to failed requests', async () => {
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('table.audit tbody tr[data-id]:not(.failed)').first().waitFor({ state: 'detached' });
    const texts = await rows().allInnerTexts();
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.every((t) => / failed/.test(t))).toBe(true);
    await page.getByLabel('Status').selectOption('');
  });

  it("shows a row's details, an attacker's text as text", async () => {
    const answer = await call('/v1/chat/completions', token, { model: 'sonnet', messages: [{ role: 'user', content: 'hi' }], user: HOSTILE });
    expect(answer.status).toBe(200);
    await page.getByLabel('Route').fill('/v1/chat/completions');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await rows().filter({ hasText: '/v1/chat/completions' }).first().waitFor();
    await rows().first().getByRole('button', { name: /Details of request/ }).click();
    const detail = page.locator('dd', { hasText: HOSTILE });
    await detail.waitFor();
    expect(await detail.innerText()).toBe(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-audit-details');
    expect(seen.dialogs).toEqual([]);
    expect(seen.cspViolations).toEqual([]);
    expect(seen.pageErrors).toEqual([]);
  });
});

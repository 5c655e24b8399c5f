import * as fs from 'node:fs';
import { Browser, Page } from 'playwright-core';
import { assertBuilt, NpmServer, startNpmServer } from './support/built-server';
import { axeViolations, launchChromium, overflowsSideways, screenshot, signInByKeyboard, watchPage } from './support/console-browser';
import { ADMIN_TOKEN } from './support/test-env';

/** The console's spend page on the built server: the chart, its table and CSV against the usage ledger. */
describe('the console: spend', () => {
  let server: NpmServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;

  const post = async (path: string, bearer: string, body: unknown) => {
    const res = await fetch(`${server.base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    assertBuilt();
    [server, browser] = await Promise.all([startNpmServer({ RUN_WARM_POOL: '0' }), launchChromium()]);
    const alpha = (await post('/admin/tokens', ADMIN_TOKEN, { name: 'alpha', budget_usd_day: 1 })).token as string;
    const beta = (await post('/admin/tokens', ADMIN_TOKEN, { name: 'beta' })).token as string;
    const runs = await Promise.all([
      post('/run', alpha, { prompt: 'FAKE:spend:0.25' }),
      post('/run', alpha, { prompt: 'FAKE:spend:0.25' }),
      post('/run', beta, { prompt: 'FAKE:spend:0.5', model: 'haiku' }),
    ]);
    expect(runs.map((r) => r.result)).toEqual(['spent 0.25', 'spent 0.25', 'spent 0.5']);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    seen = watchPage(page);
    await signInByKeyboard(page, server.base, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Spend' }).click();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('stacks each app per day, with the ledger’s total and the numbers in a table beneath', async () => {
    const ledger = (await (await fetch(`${server.base}/admin/usage?group_by=token`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { items: { token: string; cost_usd: number }[] };
    const total = ledger.items.reduce((a, g) => a + g.cost_usd, 0);
    expect(total).toBeCloseTo(1, 9);
    const summary = page.locator('p.total');
    await summary.waitFor();
    expect(await summary.innerText()).toContain('$1.00 in all');
    const today = new Date().toISOString().slice(0, 10);
    const perDay = page.getByRole('table', { name: /Spend per day and app/ });
    expect(await perDay.locator('thead').innerText()).toMatch(/Day\s+alpha\s+beta\s+Total/);
    expect(await perDay.locator('tbody tr').first().innerText()).toMatch(new RegExp(`^${today}\\s+\\$0\\.50\\s+\\$0\\.50\\s+\\$1\\.00$`));
    const chart = page.getByRole('img', { name: /Spend per app per UTC day/ });
    expect(await chart.locator('rect title').allTextContents()).toEqual([`${today} · alpha: $0.50`, `${today} · beta: $0.50`]);
    const perModel = page.getByRole('table', { name: /Use per model/ });
    expect(await perModel.locator('tbody').innerText()).toMatch(/sonnet\s+2\s+0[\s\S]*haiku\s+1\s+0/);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-spend');
  });

  it('exports the numbers as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download spend per day (CSV)' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    const today = new Date().toISOString().slice(0, 10);
    expect(csv[0]).toBe('day,app,runs,turns,input_tokens,output_tokens,cache_read_tokens,cost_usd');
    expect(csv.slice(1).map((line) => line.split(',')).map(([day, app, runs, , , , , cost]) => [day, app, runs, cost])).toEqual([
      [today, 'alpha', '2', '0.5'],
      [today, 'beta', '1', '0.5'],
    ]);
  });

  it('draws an app’s daily budget as a line when that app is chosen, and fits a phone', async () => {
    await page.getByLabel('App', { exact: true }).selectOption('alpha');
    await page.locator('.budget text', { hasText: 'daily budget $1.00' }).waitFor();
    expect(await page.locator('p.total').innerText()).toContain('$0.50 in all');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'console-spend-phone');
    expect(seen.dialogs).toEqual([]);
    expect(seen.cspViolations).toEqual([]);
    expect(seen.pageErrors).toEqual([]);
  });
});

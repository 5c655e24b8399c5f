import { Browser, BrowserContext, Page } from 'playwright-core';
import { assertBuilt, NpmServer, startNpmServer } from './support/built-server';
import { axeViolations, launchChromium, overflowsSideways, screenshot, signInByKeyboard, watchPage } from './support/console-browser';
import { ADMIN_TOKEN } from './support/test-env';

/** The operator's console at /console of the built server: how it is served, signing in, the overview. */
describe('the console: serving, sign-in and the overview', () => {
  let server: NpmServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    assertBuilt();
    [server, browser] = await Promise.all([startNpmServer({ RUN_WARM_POOL: '0' }), launchChromium()]);
    // An app with a budget and a run against it, so the overview has something to show.
    const post = (path: string, bearer: string, body: unknown) =>
      fetch(`${server.base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const { token } = (await (await post('/admin/tokens', ADMIN_TOKEN, { name: 'cauldron', budget_usd_day: 1, budget_usd_month: 20 })).json()) as { token: string };
    expect((await post('/run', token, { prompt: 'FAKE:spend:0.25' })).status).toBe(200);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    seen = watchPage(page);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves one page and hashed assets under a strict CSP, compressed, from this server alone', async () => {
    const res = await fetch(`${server.base}/console`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(2);
    let jsGzip = 0;
    for (const asset of assets) {
      // Named by content hash, kept for a year, sent gzipped to a browser that takes it.
      expect(asset).toMatch(/^\/console\/assets\/console-[A-Z0-9]{8}\.(js|css)$/);
      const file = await fetch(`${server.base}${asset}`, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(file.status).toBe(200);
      expect(file.headers.get('cache-control')).toContain('immutable');
      expect(file.headers.get('content-encoding')).toBe('gzip');
      const bytes = Number(file.headers.get('content-length'));
      if (asset.endsWith('.js')) jsGzip += bytes;
      await file.arrayBuffer();
    }
    expect(jsGzip).toBeGreaterThan(1000);
    expect(jsGzip).toBeLessThan(150 * 1024);
    const missing = await fetch(`${server.base}/console/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('tells a wrong token so, in words, and keeps it out of the URL and cookies', async () => {
    await signInByKeyboard(page, server.base, 'cf_not-a-real-token');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/That token is not valid: .*\(invalid_token\)/);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-sign-in-refused');
    expect(page.url()).toBe(`${server.base}/console`);
  });

  it('signs in with the admin token from the keyboard, holds it for the tab only, and shows the overview', async () => {
    await signInByKeyboard(page, server.base, ADMIN_TOKEN);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const logins = page.getByRole('table', { name: 'Each login runs are spread over' });
    await logins.waitFor();
    const health = (await (await fetch(`${server.base}/healthz`)).json()) as { claude_logins: { label: string; logged_in: boolean }[] };
    const [login] = health.claude_logins;
    expect(await logins.locator('tbody tr').first().innerText()).toMatch(new RegExp(`^${login.label}\\s+${login.logged_in ? 'yes' : 'no'}\\s+0\\s+not cooling$`));
    await page.getByText('Database').waitFor();
    const apps = page.getByRole('table', { name: 'Spend of each live app, today and this month (UTC)' });
    expect(await apps.locator('tbody tr').first().innerText()).toMatch(/^cauldron\s+\$0\.25 of \$1\.00\s+\$0\.25 of \$20\.00\s+20\d\d-/);
    expect(await page.locator('dd', { hasText: 'answers' }).count()).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem('clawdforge.console'))).toContain(ADMIN_TOKEN);
    expect(await page.evaluate<string>('document.cookie')).toBe('');
    expect((await context.cookies()).length).toBe(0);
    expect(page.url()).not.toContain(ADMIN_TOKEN);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-overview');
  });

  it('comes back signed in on a reload, with its data, and refreshes it by itself', async () => {
    // How fast it paints is measured in bench/console-paint.bench.ts, not asserted here.
    expect(page.url()).toBe(`${server.base}/console#/overview`);
    await page.reload();
    await page.getByRole('table', { name: 'Each login runs are spread over' }).waitFor();
    expect(await page.locator('#token').count()).toBe(0);
    const stamp = await page.locator('.refresh').innerText();
    // (Locators, not waitForFunction with a string: the page's CSP refuses the eval that would take.)
    await page.locator('.refresh').filter({ hasNotText: stamp }).waitFor({ timeout: 8000 });
  });

  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('table', { name: 'Each login runs are spread over' }).waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'console-overview-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs out from the keyboard, forgetting the token', async () => {
    const out = page.getByRole('button', { name: 'Sign out' });
    await out.focus();
    await page.keyboard.press('Enter');
    await page.locator('#token').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(seen.dialogs).toEqual([]);
    expect(seen.cspViolations).toEqual([]);
    expect(seen.pageErrors).toEqual([]);
    // Nothing the browser sent put a token in the server's log.
    expect(server.server.output()).not.toContain(ADMIN_TOKEN);
  });
});

import { Browser, Page } from 'playwright-core';
import { assertBuilt, NpmServer, startNpmServer } from './support/built-server';
import { axeViolations, launchChromium, screenshot, signInByKeyboard, watchPage } from './support/console-browser';
import { ADMIN_TOKEN } from './support/test-env';

/** Sessions and files in the console: every app's for the admin; signed in with an app token, its own and nothing of another app's or the admin's. */
describe('the console: sessions and files, and an app token’s own view', () => {
  let server: NpmServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  let own: string;
  let sessionId: string;
  let otherSessionId: string;

  const call = (method: string, path: string, bearer: string, body?: string, type = 'application/json') =>
    fetch(`${server.base}${path}`, { method, headers: { Authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'Content-Type': type }) }, body });
  const mint = async (name: string) => ((await (await call('POST', '/admin/tokens', ADMIN_TOKEN, JSON.stringify({ name, budget_usd_month: 7 }))).json()) as { token: string }).token;
  const upload = async (bearer: string, name: string) => {
    const form = new FormData();
    form.append('file', new Blob(['some text\n'], { type: 'text/plain' }), name);
    const res = await fetch(`${server.base}/files`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}` }, body: form });
    expect(res.status).toBe(201);
    return (await res.json()) as { name: string };
  };

  beforeAll(async () => {
    assertBuilt();
    [server, browser] = await Promise.all([startNpmServer({ RUN_WARM_POOL: '0' }), launchChromium()]);
    own = await mint('own-app');
    const other = await mint('other-app');
    await upload(own, 'own-notes.txt');
    await upload(other, 'other-notes.txt');
    const session = await call('POST', '/sessions', own, JSON.stringify({ agent: 'claude' }));
    expect(session.status).toBe(201);
    sessionId = ((await session.json()) as { session_id: string }).session_id;
    otherSessionId = ((await (await call('POST', '/sessions', other, JSON.stringify({ agent: 'claude' }))).json()) as { session_id: string }).session_id;
    expect((await call('POST', '/run', own, JSON.stringify({ prompt: 'FAKE:spend:0.25' }))).status).toBe(200);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    seen = watchPage(page);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the admin every app’s open sessions and live files, and closes another app’s session', async () => {
    await signInByKeyboard(page, server.base, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Sessions and files' }).click();
    const sessions = page.getByRole('table', { name: 'Open agent sessions of every app' });
    await sessions.locator('tbody tr', { hasText: otherSessionId }).waitFor();
    expect(await sessions.locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(new RegExp(`^other-app\\s+${otherSessionId}\\s+claude`)), expect.stringMatching(new RegExp(`^own-app\\s+${sessionId}\\s`))]);
    const files = page.getByRole('table', { name: 'Live files of every app' });
    expect((await files.locator('tbody tr').allInnerTexts()).sort()).toEqual([expect.stringMatching(/^other-app\s+other-notes\.txt\s/), expect.stringMatching(/^own-app\s+own-notes\.txt\s+text\/plain; charset=utf-8\s+10 bytes\s/)]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-sessions-files');
    await page.getByRole('button', { name: `Close session ${otherSessionId}` }).click();
    await sessions.locator('tbody tr', { hasText: otherSessionId }).waitFor({ state: 'detached' });
    const closed = (await (await call('GET', '/admin/sessions?token=other-app', ADMIN_TOKEN)).json()) as { items: { session_id: string; status: string; token: string }[] };
    expect(closed.items).toEqual([expect.objectContaining({ session_id: otherSessionId, status: 'closed', token: 'other-app' })]);
    // The routes' refusals, named.
    expect(((await (await call('DELETE', '/admin/sessions/no-such-session', ADMIN_TOKEN)).json()) as { error: { code: string } }).error.code).toBe('session_not_found');
    expect(((await (await call('GET', '/admin/files?token=nobody', ADMIN_TOKEN)).json()) as { error: { code: string } }).error.code).toBe('token_not_found');
    expect((await call('GET', '/admin/sessions', own)).status).toBe(403);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('shows an app token its own spend and limits, and no admin page', async () => {
    await signInByKeyboard(page, server.base, own);
    await page.getByRole('heading', { name: 'My usage', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Usage of own-app' }).waitFor();
    expect(await page.getByRole('table', { name: 'Spend and use, UTC' }).locator('tbody tr').first().innerText()).toMatch(/^Today\s+\$0\.25\s+1\s+0\s/);
    expect(await page.getByText('$7.00 ($6.75 left)').count()).toBe(1);
    expect(await page.getByRole('navigation').getByRole('link').allInnerTexts()).toEqual(['My usage', 'Sessions and files']);
    expect(await page.getByText('Signed in as own-app').count()).toBe(1);
    // An admin page asked for by its address is not drawn for an app token.
    await page.goto(`${server.base}/console#/apps`);
    await page.getByRole('heading', { name: 'My usage', level: 1 }).waitFor();
    expect(await page.getByRole('heading', { name: 'Apps and tokens' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-app-usage');
  });

  it('lists its own sessions and files only, and closes and deletes them', async () => {
    await page.getByRole('link', { name: 'Sessions and files' }).click();
    const sessions = page.getByRole('table', { name: 'This app’s agent sessions' });
    await sessions.locator('tbody tr', { hasText: sessionId }).waitFor();
    const files = page.getByRole('table', { name: 'This app’s stored files' });
    expect(await files.locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^own-notes\.txt\s+text\/plain; charset=utf-8\s+10 bytes\s/)]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-app-work');

    await page.getByRole('button', { name: `Close session ${sessionId}` }).click();
    await sessions.locator('tbody tr', { hasText: 'closed' }).waitFor();
    expect(((await (await call('GET', `/sessions/${sessionId}`, own)).json()) as { status: string }).status).toBe('closed');
    await page.getByRole('button', { name: 'Delete file own-notes.txt' }).click();
    await files.locator('td.empty').waitFor();
    expect(((await (await call('GET', '/files', own)).json()) as { items: unknown[] }).items).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    expect(seen.cspViolations).toEqual([]);
    expect(seen.pageErrors).toEqual([]);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import { ERROR_CODES } from '@clawdforge/core';
import { assertBuilt, NpmServer, PROJECT_ROOT, startNpmServer } from './support/built-server';
import { CHROMIUM_ARGS, chromiumExecutable } from './support/chromium';
import { ADMIN_TOKEN } from './support/test-env';

const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts');

interface Schema {
  $ref?: string;
  properties?: Record<string, unknown>;
}
interface Operation {
  operationId: string;
  summary?: string;
  tags: string[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
}

/** The operation's block, as Swagger UI ids it. */
const blockId = (op: Operation): string => `operations-${op.tags[0]}-${op.operationId}`;

/** The Swagger UI at /docs of the built server, driven in headless Chromium as a person would. */
describe('Swagger UI in a browser', () => {
  let server: NpmServer;
  let browser: Browser;
  let page: Page;
  let operations: { method: string; route: string; op: Operation }[];
  let schemas: Record<string, Schema>;
  let appToken: string;

  beforeAll(async () => {
    assertBuilt();
    server = await startNpmServer({ RUN_WARM_POOL: '0' });
    const minted = await fetch(`${server.base}/admin/tokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'browser' }),
    });
    appToken = ((await minted.json()) as { token: string }).token;
    const doc = (await (await fetch(`${server.base}/docs-json`)).json()) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
    schemas = doc.components.schemas;
    operations = Object.entries(doc.paths).flatMap(([route, ops]) => Object.entries(ops).map(([method, op]) => ({ method, route, op })));

    // The worker's own signals stay jest's: playwright would otherwise hook SIGINT, SIGTERM and SIGHUP.
    browser = await chromium.launch({ executablePath: await chromiumExecutable(), args: CHROMIUM_ARGS, headless: true, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.base}/docs`);
    await page.locator('.swagger-ui .information-container').waitFor();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const resolve = (schema: Schema): Schema => (schema.$ref ? schemas[schema.$ref.replace('#/components/schemas/', '')] : schema);

  const expand = async (op: Operation): Promise<Locator> => {
    const opblock = page.locator(`#${blockId(op)}`);
    if (!(await opblock.evaluate((el) => el.classList.contains('is-open')))) await opblock.locator('.opblock-summary').first().click();
    await opblock.locator('.opblock-body').waitFor();
    return opblock;
  };

  it('shows every route with its summary, its body schema with an example, and its error answers', async () => {
    expect(operations.length).toBeGreaterThan(15);
    // Open every operation at once, as a reader clicking through would, then read what each shows.
    await page.$$eval('.opblock:not(.is-open) .opblock-summary-control', (buttons) => buttons.forEach((button) => (button as unknown as { click(): void }).click()));
    await page.waitForFunction(`document.querySelectorAll('.opblock .opblock-body').length >= ${operations.length}`);
    const shown = new Map(
      (
        await page.$$eval('.opblock', (blocks) =>
          blocks.map((block) => ({
            id: block.id,
            summary: block.querySelector('.opblock-summary-description')?.textContent?.trim() ?? null,
            example: block.querySelector('.opblock-section-request-body .body-param__example')?.textContent ?? null,
            schemaTab: block.querySelector('.opblock-section-request-body .tablinks[data-name="model"]') !== null,
            formFields: [...block.querySelectorAll('.opblock-section-request-body tr.parameters')].map((row) => row.getAttribute('data-property-name')),
            responses: Object.fromEntries(
              [...block.querySelectorAll('.responses-table tr.response')].map((row) => [
                row.getAttribute('data-code'),
                {
                  codes: [...row.querySelectorAll('.response-col_description__inner code')].map((code) => code.textContent ?? ''),
                  example: row.querySelector('.response-col_description .highlight-code')?.textContent ?? '',
                },
              ]),
            ),
          })),
        )
      ).map((view) => [view.id, view]),
    );
    const problems: string[] = [];
    for (const { method, route, op } of operations) {
      const name = `${method.toUpperCase()} ${route}`;
      const view = shown.get(blockId(op));
      if (!view) {
        problems.push(`${name}: not shown`);
        continue;
      }
      if (view.summary !== op.summary) problems.push(`${name}: shows summary "${view.summary}"`);
      if (op.requestBody) {
        const [mediaType, { schema }] = Object.entries(op.requestBody.content)[0];
        const fields = Object.keys(resolve(schema).properties ?? {}).sort();
        if (mediaType === 'multipart/form-data') {
          if (JSON.stringify([...view.formFields].sort()) !== JSON.stringify(fields)) problems.push(`${name}: shows form fields ${view.formFields.join(', ')}`);
        } else {
          if (!view.schemaTab) problems.push(`${name}: no Schema tab for its body`);
          const example = view.example === null ? null : (JSON.parse(view.example) as Record<string, unknown>);
          if (!example || JSON.stringify(Object.keys(example).sort()) !== JSON.stringify(fields)) problems.push(`${name}: its example body does not show every field`);
        }
      }
      const errors = Object.keys(op.responses).filter((status) => Number(status) >= 400);
      if (errors.length === 0 && route !== '/healthz') problems.push(`${name}: documents no error answer`);
      for (const status of errors) {
        const shownAnswer = view.responses[status];
        if (!shownAnswer) {
          problems.push(`${name}: does not show ${status}`);
          continue;
        }
        // /healthz answers 503 with its own body (the database is down), not an error body.
        if (route === '/healthz') continue;
        const codes = (shownAnswer.codes as string[]).filter((code) => code in ERROR_CODES);
        if (codes.length === 0) problems.push(`${name} ${status}: names no error code`);
        // The /v1 routes show OpenAI's or Anthropic's own error body, as their clients read it.
        if (route.startsWith('/v1/')) {
          if (!/"error":\s*\{[\s\S]*"message":/.test(shownAnswer.example)) problems.push(`${name} ${status}: shows example ${shownAnswer.example.slice(0, 80)}`);
          continue;
        }
        // The example under it is the error body of one of the codes it names.
        const example = /"code":\s*"([a-z_]+)"/.exec(shownAnswer.example)?.[1];
        if (!example || !codes.includes(example) || !shownAnswer.example.includes('"ok": false')) problems.push(`${name} ${status}: shows example ${shownAnswer.example.slice(0, 80)}`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('authorizes with a minted token and runs POST /run from "Try it out", answering 200', async () => {
    await page.locator('.auth-wrapper .authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.waitFor();
    const appScheme = dialog.locator('.auth-container').filter({ hasText: 'app-token' });
    await appScheme.locator('input').fill(appToken);
    await appScheme.locator('button.authorize').click();
    await appScheme.getByText('Authorized').first().waitFor();
    await dialog.getByRole('button', { name: 'Close' }).first().click();

    const run = operations.find((o) => o.method === 'post' && o.route === '/run')!.op;
    const opblock = await expand(run);
    await opblock.locator('.try-out__btn').click();
    const body = opblock.locator('textarea.body-param__text');
    await body.fill(JSON.stringify({ prompt: 'hello from the browser', timeout_secs: 30 }, null, 2));
    await opblock.locator('.execute').click();

    const live = opblock.locator('.live-responses-table .response');
    await live.first().waitFor({ timeout: 20_000 });
    const status = (await live.locator('.response-col_status').first().innerText()).trim();
    const answer = JSON.parse(await live.locator('.response-col_description .microlight').first().innerText());
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await opblock.screenshot({ path: path.join(ARTIFACTS, 'swagger-ui-run.png') });

    expect(status).toBe('200');
    expect(answer).toMatchObject({ ok: true, result: 'You said: hello from the browser', stop_reason: 'end_turn', tools_refused: 0 });
    // The curl line Swagger UI shows carries the token it was given, as a user would copy it.
    expect(await opblock.locator('.curl-command').innerText()).toContain(`Authorization: Bearer ${appToken}`);
  }, 60_000);
});

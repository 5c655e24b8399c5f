/**
 * `npm run build && npx ts-node --transpile-only bench/console-paint.bench.ts`: the console's
 * overview in headless Chromium on loopback, signed in, reloaded PAINT_RELOADS times. Prints the
 * first contentful paint and the time until the logins table (the data) is on screen, as medians
 * and the worst of the run, beside the time the same page's /healthz answer takes alone.
 */
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumExecutable } from '../test/support/chromium';
import { ADMIN, percentile, startServer } from './bench-support';

const RELOADS = Number(process.env.PAINT_RELOADS ?? 20);

async function main(): Promise<void> {
  const server = await startServer({ RUN_WARM_POOL: '0' });
  const browser = await chromium.launch({ executablePath: await chromiumExecutable(), args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/console`);
    await page.locator('#token').fill(ADMIN);
    await page.keyboard.press('Enter');
    const logins = page.getByRole('table', { name: 'Each login runs are spread over' });
    await logins.waitFor();
    const paints: number[] = [];
    const shown: number[] = [];
    const health: number[] = [];
    for (let i = 0; i < RELOADS; i++) {
      const t0 = performance.now();
      await (await fetch(`${server.url}/healthz`)).arrayBuffer();
      health.push(performance.now() - t0);
      const started = performance.now();
      await page.reload();
      await logins.waitFor();
      shown.push(performance.now() - started);
      // The paint entry is recorded after the frame; wait for it rather than read too early.
      // (A string, evaluated in the page: the bench's own types know nothing of the DOM's paint entries.)
      const paint = await page.evaluate<number>(`new Promise((resolve) => {
        const now = performance.getEntriesByName('first-contentful-paint')[0];
        if (now) return resolve(now.startTime);
        new PerformanceObserver((list) => resolve(list.getEntries()[0].startTime)).observe({ type: 'paint', buffered: true });
      })`);
      paints.push(paint);
    }
    const row = (label: string, values: number[]) => `| ${label} | ${percentile(values, 50).toFixed(0)} ms | ${Math.max(...values).toFixed(0)} ms |`;
    console.log(`console overview, ${RELOADS} reloads signed in:`);
    console.log('| | median | worst |');
    console.log('|---|---|---|');
    console.log(row('first contentful paint', paints));
    console.log(row('reload until the logins table is shown', shown));
    console.log(row('GET /healthz alone', health));
    console.log(`| ratio shown / first paint (medians) | ${(percentile(shown, 50) / percentile(paints, 50)).toFixed(2)} | |`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

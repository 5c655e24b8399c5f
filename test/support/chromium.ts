import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { PROJECT_ROOT } from './built-server';

/**
 * The headless Chromium the browser specs drive: the one the lockfile pins, shipped brotli-packed in
 * the @sparticuz/chromium package (a headless-shell build that runs as root without a sandbox of its
 * own), unpacked once into node_modules/.cache and reused while the package's version stays. No
 * system package and no download: `npm ci` brings it. CHROMIUM_PATH names another browser instead.
 */
export async function chromiumExecutable(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  // Its exports map leaves out package.json and bin/, so it is read where npm puts it.
  const pkg = path.join(PROJECT_ROOT, 'node_modules', '@sparticuz', 'chromium');
  const { version } = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version: string };
  const dir = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'clawdforge-chromium', version);
  const executable = path.join(dir, 'chromium');
  if (fs.existsSync(executable)) return executable;
  fs.mkdirSync(dir, { recursive: true });
  // Unpacked beside and renamed into place, so a run stopped halfway leaves no broken browser behind.
  const partial = `${executable}.${process.pid}.partial`;
  await pipeline(fs.createReadStream(path.join(pkg, 'bin', 'chromium.br')), zlib.createBrotliDecompress(), fs.createWriteStream(partial, { mode: 0o755 }));
  fs.renameSync(partial, executable);
  return executable;
}

/**
 * Flags for this machine: no GPU, and none of Chromium's own connections out (its network
 * refuses them; playwright already turns off background networking, component updates and sync).
 */
export const CHROMIUM_ARGS = ['--disable-gpu', '--disable-domain-reliability', '--no-pings'];

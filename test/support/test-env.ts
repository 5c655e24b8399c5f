import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Shared by the in-process test app, the specs that start npm start, and the benches (which load no app code). */
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const FAKE_CLI_DIR = path.join(__dirname, '..', 'fixtures', 'fake-cli');

export function makeDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-test-'));
}

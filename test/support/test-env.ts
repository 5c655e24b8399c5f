import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Shared by the in-process test app, the specs that start npm start, and the benches (which load no app code). */
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const FAKE_CLI_DIR = path.join(__dirname, '..', 'fixtures', 'fake-cli');

export function makeDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-test-'));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

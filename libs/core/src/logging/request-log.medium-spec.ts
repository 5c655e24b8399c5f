import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { requestLog } from './request-log';

/** One request through a real HTTP server with the request log at `level`; the line it wrote. */
async function lineAt(level: string): Promise<{ req: { headers: Record<string, unknown> }; res: { statusCode: number }; msg: string }> {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
  const log = requestLog(pino({ level }, sink));
  const server = createServer((req, res) => {
    log(req, res);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/sessions`, { headers: { Authorization: 'Bearer cf_secret', 'User-Agent': 'app/1.0', 'X-Custom': 'seen' } });
    for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    server.close();
  }
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as Awaited<ReturnType<typeof lineAt>>;
}

describe('requestLog', () => {
  it('at info, names the client but leaves the other headers out', async () => {
    const line = await lineAt('info');
    expect(line.msg).toBe('request completed');
    expect(line.res.statusCode).toBe(200);
    expect(line.req.headers).toEqual({ 'user-agent': 'app/1.0' });
  });

  it('at debug, logs every header with credentials redacted', async () => {
    const line = await lineAt('debug');
    expect(line.req.headers).toMatchObject({ 'user-agent': 'app/1.0', 'x-custom': 'seen', authorization: '[redacted]' });
    expect(JSON.stringify(line)).not.toContain('cf_secret');
  });
});

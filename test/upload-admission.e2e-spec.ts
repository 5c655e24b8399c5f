import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { startTestApp, TestApp } from './support/test-app';

const MiB = 1024 * 1024;

/**
 * An upload is admitted at its first byte, not after its last: a token at its quota (files or
 * bytes), or with as many uploads in flight as it may have, is refused before anything lands in
 * FILES_DIR, and the bytes of uploads still in flight count against the token's byte quota as they
 * arrive. Uploads are held open part-way, as a slow or hostile client would, to look at the disk
 * while they are in flight.
 */
describe('/files admission before the bytes land', () => {
  let t: TestApp;
  let port: number;
  /** Requests still open when a spec fails part-way: ended before the server closes. */
  const open = new Set<http.ClientRequest>();

  beforeAll(async () => {
    t = await startTestApp({ FILES_MAX_BYTES: String(8 * MiB), FILES_MAX_TOTAL_BYTES_PER_TOKEN: String(4 * MiB), FILES_MAX_PER_TOKEN: '6' });
    await new Promise<void>((resolve) => t.app.getHttpServer().listen(0, '127.0.0.1', resolve));
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const req of open) req.destroy();
    await t.close();
  });

  /** Bytes in FILES_DIR now. */
  const bytesOnDisk = () => fs.readdirSync(t.config.paths.filesDir).reduce((sum, name) => sum + fs.statSync(path.join(t.config.paths.filesDir, name)).size, 0);
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  interface HeldUpload {
    /** Sends the rest of the body and resolves with the answer. */
    finish: () => Promise<{ status: number; body: { ok: boolean; error?: { code: string; message: string } }; retryAfter: string | undefined }>;
  }

  /** A multipart upload of `size` bytes of text of which only the first `sent` go out until finish(). */
  function heldUpload(token: string, size: number, sent: number): HeldUpload {
    const boundary = 'cf-admission-boundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="held.txt"\r\nContent-Type: text/plain\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const content = Buffer.alloc(size, 0x61);
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/files',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + size + tail.length },
    });
    const answer = new Promise<Awaited<ReturnType<HeldUpload['finish']>>>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), retryAfter: res.headers['retry-after'] as string | undefined }));
      });
      req.on('error', reject);
    });
    open.add(req);
    req.on('close', () => open.delete(req));
    req.write(head);
    req.write(content.subarray(0, sent));
    return {
      finish: () => {
        req.end(Buffer.concat([content.subarray(sent), tail]));
        return answer;
      },
    };
  }

  async function uploadWhole(token: string, size: number): Promise<number> {
    return (await heldUpload(token, size, 0).finish()).status;
  }

  it('a token at its byte quota: five uploads held part-way put nothing on disk, and each is refused 413', async () => {
    const token = await t.mintToken('at-byte-quota');
    expect(await uploadWhole(token, 4 * MiB)).toBe(201);
    const before = bytesOnDisk();
    const held = Array.from({ length: 5 }, () => heldUpload(token, 2 * MiB, MiB));
    await pause(700);
    expect(bytesOnDisk() - before).toBe(0);
    const answers = await Promise.all(held.map((upload) => upload.finish()));
    expect(answers.map((answer) => [answer.status, answer.body.error?.code])).toEqual(Array(5).fill([413, 'payload_too_large']));
    expect(bytesOnDisk()).toBe(before);
  });

  it('a token at its file-count quota: a held upload puts nothing on disk and is refused 413', async () => {
    const token = await t.mintToken('at-count-quota');
    for (let i = 0; i < 6; i++) expect(await uploadWhole(token, 1024)).toBe(201);
    const before = bytesOnDisk();
    const upload = heldUpload(token, 2 * MiB, MiB);
    await pause(500);
    expect(bytesOnDisk()).toBe(before);
    const answer = await upload.finish();
    expect([answer.status, answer.body.error?.code]).toEqual([413, 'payload_too_large']);
    expect(answer.body.error?.message).toContain('FILES_MAX_PER_TOKEN');
    expect(bytesOnDisk()).toBe(before);
  });

  it('counts the bytes of uploads in flight against the quota: three held uploads never take the disk past it', async () => {
    const token = await t.mintToken('in-flight-bytes');
    const before = bytesOnDisk();
    const held = Array.from({ length: 3 }, () => heldUpload(token, 2 * MiB, 1.5 * MiB));
    await pause(700);
    expect(bytesOnDisk() - before).toBeLessThanOrEqual(4 * MiB);
    const answers = await Promise.all(held.map((upload) => upload.finish()));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 201, 413]);
    expect(bytesOnDisk() - before).toBe(4 * MiB);
  });

  it('caps the uploads one token has in flight: the fifth is refused 429 with Retry-After at its first byte; another token is not held up', async () => {
    const token = await t.mintToken('many-at-once');
    const other = await t.mintToken('someone-else');
    const before = bytesOnDisk();
    const first = Array.from({ length: 4 }, () => heldUpload(token, 100 * 1024, 1024));
    await pause(400);
    const fifth = heldUpload(token, 3 * MiB, 2 * MiB);
    await pause(500);
    // Only the four admitted uploads' first kilobyte each.
    expect(bytesOnDisk() - before).toBe(4 * 1024);
    expect(await uploadWhole(other, 1024)).toBe(201);
    const refused = await fifth.finish();
    expect([refused.status, refused.body.error?.code, refused.retryAfter]).toEqual([429, 'too_many_requests', '1']);
    expect((await Promise.all(first.map((upload) => upload.finish()))).map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
    // Once they are done, the token may upload again.
    expect(await uploadWhole(token, 1024)).toBe(201);
  });
});

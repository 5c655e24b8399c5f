import * as fs from 'node:fs';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { StoredFile } from '@clawdforge/files';
import { RunQueue } from '@clawdforge/run';
import { ManualClock } from '@clawdforge/core/testing';
import { TEXT_NOTES } from './support/sample-files';
import { makeDataDir, startTestApp, TestApp } from './support/test-app';

/** A multipart body written byte for byte, so the filename reaches the server exactly as given. */
function rawUpload(t: TestApp, token: string, disposition: string, content: Buffer) {
  const boundary = 'cf-hardening-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head, 'utf8'), content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return t.http().post('/files').set('Authorization', `Bearer ${token}`).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body);
}

const upload = (t: TestApp, token: string, content: Buffer, filename = 'note.txt', fields: Record<string, string> = {}) => {
  const req = t.http().post('/files').set('Authorization', `Bearer ${token}`);
  for (const [name, value] of Object.entries(fields)) req.field(name, value);
  return req.attach('file', content, filename);
};

const listed = async (t: TestApp, token: string) =>
  (await t.http().get('/files').set('Authorization', `Bearer ${token}`).query({ limit: '1000' }).expect(200)).body.items as { file_token: string; name: string }[];

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('/files filenames: UTF-8 round-trips; bidi and invisible format characters are stripped from the label', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.mintToken('names');
  });
  afterAll(() => t.close());

  it.each(['résumé é.txt', '会議メモ 2026.txt', '한국어 파일.md', '😀 party 🎉.txt', '👨‍👩‍👧 family ❤️.txt', 'Ünïcödé—“quoted”.txt'])(
    'keeps %j exactly, in the answer, the list and the run the model sees',
    async (name) => {
      const res = await rawUpload(t, token, `filename="${name}"`, TEXT_NOTES).expect(201);
      expect(res.body.name).toBe(name);
      expect((await listed(t, token)).find((item) => item.file_token === res.body.file_token)?.name).toBe(name);
      const run = await t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'FAKE:echo', files: [res.body.file_token] }).expect(200);
      expect(run.body.result.blocks[0].text).toBe(`File: ${name}\n\n${TEXT_NOTES.toString('utf8')}`);
    },
  );

  it('keeps a UTF-8 name sent the way supertest (form-data) sends it, and one sent as RFC 5987 filename*', async () => {
    expect((await upload(t, token, TEXT_NOTES, 'café 日本 🚀.txt').expect(201)).body.name).toBe('café 日本 🚀.txt');
    const encoded = await rawUpload(t, token, `filename*=UTF-8''${encodeURIComponent('naïve 漢字 🦀.txt')}`, TEXT_NOTES).expect(201);
    expect(encoded.body.name).toBe('naïve 漢字 🦀.txt');
  });

  it.each([
    ['invoice\u202Etxt.exe', 'invoicetxt.exe'],
    ['a\u202Ab\u202Bc\u202Cd\u202De.txt', 'abcde.txt'],
    ['\u2066isolated\u2067 \u2068name\u2069.txt', 'isolated name.txt'],
    ['zero\u200Bwidth\u200E\u200F\u061C\uFEFF\u00ADmarks.txt', 'zerowidthmarks.txt'],
    ['tag\u{E0069}\u{E0067}\u{E006E}smuggled.txt', 'tagsmuggled.txt'],
    ['separators\u2028\u2029.txt', 'separators.txt'],
    ['\u202E\u2066\u200B', 'file'],
  ])('stores %j as the label %j and keeps the upload', async (name, expected) => {
    const res = await rawUpload(t, token, `filename="${name}"`, TEXT_NOTES).expect(201);
    expect(res.body.name).toBe(expected);
    expect((await listed(t, token)).find((item) => item.file_token === res.body.file_token)?.name).toBe(expected);
  });

  // One rule for control characters (C0, DEL, C1), however the name was sent: plain, with the
  // WHATWG escapes browsers use (%0A, %0D), or as RFC 5987 filename*.
  it.each([
    ['filename="nul\u0000byte.txt"'],
    ['filename="tab\tand\u001bescape.txt"'],
    ['filename="del\u007f.txt"'],
    ['filename="c1\u0085\u009bcontrols.txt"'],
    ['filename="escaped%0Anewline.txt"'],
    ['filename="escaped%0Dreturn.txt"'],
    ["filename*=UTF-8''nul%00byte.txt"],
    ["filename*=UTF-8''tab%09and%1Bescape.txt"],
    ["filename*=UTF-8''new%0Aline.txt"],
    ["filename*=UTF-8''del%7F.txt"],
    ["filename*=UTF-8''c1%C2%85.txt"],
    ["filename=\"harmless.txt\"; filename*=UTF-8''bell%07.txt"],
  ])('refuses %s with 400 naming the file field, keeping no bytes', async (disposition) => {
    const before = fs.readdirSync(t.config.paths.filesDir).length;
    const res = await rawUpload(t, token, disposition, TEXT_NOTES).expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', field: 'file' });
    expect(fs.readdirSync(t.config.paths.filesDir)).toHaveLength(before);
  });
});

describe('/files text detection reads the whole file, not its head', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp({ FILES_MAX_BYTES: String(4 * 1024 * 1024) });
    token = await t.mintToken('texts');
  });
  afterAll(() => t.close());

  const text = (n: number) => Buffer.alloc(n, 'notes, ');
  it.each([
    ['a text head, then NULs and an ELF header', Buffer.concat([text(10_000), Buffer.alloc(64), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])])],
    ['a text head, then a NUL one MiB in', Buffer.concat([text(1024 * 1024), Buffer.from([0]), text(100)])],
    ['a text head, then invalid UTF-8', Buffer.concat([text(20_000), Buffer.from([0xc3, 0x28]), text(100)])],
    ['a text head, then a cut UTF-8 character at the very end', Buffer.concat([text(20_000), Buffer.from('€').subarray(0, 2)])],
    ['a text head, then an escape-free binary control byte', Buffer.concat([text(9000), Buffer.from([0x02]), text(10)])],
  ])('415s %s, keeping no bytes', async (_name, content) => {
    const before = fs.readdirSync(t.config.paths.filesDir).length;
    const res = await upload(t, token, content, 'looks-like.txt').expect(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(fs.readdirSync(t.config.paths.filesDir)).toHaveLength(before);
  });

  it('takes 3 MiB of UTF-8 text whose multibyte characters straddle every chunk boundary', async () => {
    const content = Buffer.from('€😀 ü 会議 '.repeat(200_000)).subarray(0, 3 * 1024 * 1024 - 1);
    // Cut back to a whole character.
    const whole = Buffer.from(content.toString('utf8').replace(/\uFFFD$/, ''));
    const res = await upload(t, token, whole, 'long.txt').expect(201);
    expect(res.body.media_type).toBe('text/plain; charset=utf-8');
  });
});

describe('/files reconciliation at boot in a FILES_DIR shared with other files', () => {
  afterEach(() => jest.restoreAllMocks());

  it('removes only its own UUID-named debris, leaves every other entry alone and only counts them in one info line', async () => {
    const dataDir = makeDataDir();
    const filesDir = path.join(dataDir, 'shared');
    fs.mkdirSync(path.join(filesDir, 'photos'), { recursive: true });
    const foreign: Record<string, string> = {
      'notes.txt': 'the operator’s own notes',
      '.hidden': 'dotfile',
      'photos/cat.txt': 'a file in a subdirectory',
      'ABCDEF12-3456-4789-8ABC-DEF012345678': 'upper-case UUID: not a name randomUUID() writes',
      '0f8fad5b-d9cb-469f-a165-70867728950e.bak': 'UUID with a suffix',
    };
    for (const [name, content] of Object.entries(foreign)) fs.writeFileSync(path.join(filesDir, name), content);
    fs.mkdirSync(path.join(filesDir, '7c9e6679-7425-40de-944b-e07fc1f90ae7'));

    const first = await startTestApp({ FILES_DIR: filesDir }, { dataDir });
    const token = await first.mintToken('app');
    const kept = (await upload(first, token, TEXT_NOTES, 'kept.txt').expect(201)).body.file_token;
    await first.close();

    const orphan = '3b241101-e2bb-4255-8caf-4136c566a962';
    fs.writeFileSync(path.join(filesDir, orphan), 'bytes of an upload a crash left without a row');
    // Left by a crash long ago (on PostgreSQL, younger bytes may be another instance's upload under way).
    const longAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(path.join(filesDir, orphan), longAgo, longAgo);
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const log = jest.spyOn(Logger.prototype, 'log');

    const second = await startTestApp({ FILES_DIR: filesDir }, { dataDir });
    try {
      expect(fs.existsSync(path.join(filesDir, orphan))).toBe(false);
      for (const [name, content] of Object.entries(foreign)) expect(fs.readFileSync(path.join(filesDir, name), 'utf8')).toBe(content);
      expect(fs.statSync(path.join(filesDir, '7c9e6679-7425-40de-944b-e07fc1f90ae7')).isDirectory()).toBe(true);
      expect((await listed(second, token)).map((item) => item.file_token)).toEqual([kept]);

      const warnings = warn.mock.calls.map(([message]) => String(message)).filter((message) => /file/i.test(message));
      expect(warnings).toEqual(['reconciled files: 0 rows without bytes, 1 files without rows removed']);
      const info = log.mock.calls.map(([message]) => String(message)).filter((message) => message.includes('FILES_DIR'));
      expect(info).toEqual(['FILES_DIR holds 6 other entries; left alone']);
    } finally {
      await second.close();
    }
  });
});

describe('/files per-token quotas', () => {
  const MAX_FILES = 3;
  const MAX_BYTES = 1000;
  let t: TestApp;
  let clock: ManualClock;
  const storedNames = () => fs.readdirSync(t.config.paths.filesDir);
  const bytes = (n: number) => Buffer.alloc(n, 0x61);

  beforeAll(async () => {
    clock = new ManualClock(Date.parse('2026-11-24T12:00:00.000Z'));
    t = await startTestApp({ FILES_MAX_PER_TOKEN: String(MAX_FILES), FILES_MAX_TOTAL_BYTES_PER_TOKEN: String(MAX_BYTES) }, { clock });
  });
  afterAll(() => t.close());

  it('413s the upload past FILES_MAX_PER_TOKEN live files naming the limit, keeps no bytes, and takes one again after a delete', async () => {
    const token = await t.mintToken('count');
    const tokens: string[] = [];
    for (let i = 0; i < MAX_FILES; i++) tokens.push((await upload(t, token, bytes(10), `f${i}.txt`).expect(201)).body.file_token);
    const before = storedNames().length;

    const res = await upload(t, token, bytes(10), 'one-too-many.txt').expect(413);
    expect(res.body.error).toEqual({
      code: 'payload_too_large',
      field: 'file',
      message: `this token already holds FILES_MAX_PER_TOKEN (${MAX_FILES}) live files; delete some or let them expire`,
    });
    expect(storedNames()).toHaveLength(before);

    const other = await t.mintToken('count-other');
    await upload(t, other, bytes(10)).expect(201);

    await t.http().delete(`/files/${tokens[0]}`).set('Authorization', `Bearer ${token}`).expect(200);
    await upload(t, token, bytes(10), 'after-delete.txt').expect(201);
  });

  it('413s the upload that would pass FILES_MAX_TOTAL_BYTES_PER_TOKEN naming the limit, keeps no bytes, and takes one that lands exactly on it', async () => {
    const token = await t.mintToken('bytes');
    await upload(t, token, bytes(600), 'big.txt').expect(201);
    const before = storedNames().length;

    const res = await upload(t, token, bytes(401), 'over.txt').expect(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', field: 'file' });
    expect(res.body.error.message).toBe(
      `this upload (401 bytes so far) would take this token’s live files and uploads in flight to 1001 bytes, past FILES_MAX_TOTAL_BYTES_PER_TOKEN (${MAX_BYTES} bytes); delete some or let them expire`,
    );
    expect(storedNames()).toHaveLength(before);

    await upload(t, token, bytes(400), 'exact.txt').expect(201);
    const alone = await upload(t, await t.mintToken('bytes-alone'), bytes(MAX_BYTES + 1), 'alone.txt').expect(413);
    expect(alone.body.error.message).toContain('FILES_MAX_TOTAL_BYTES_PER_TOKEN');
  });

  it('does not count expired files, swept or not', async () => {
    const token = await t.mintToken('expiry');
    for (let i = 0; i < MAX_FILES; i++) await upload(t, token, bytes(300), `e${i}.txt`, { ttl_secs: '60' }).expect(201);
    await upload(t, token, bytes(10), 'full.txt').expect(413);
    clock.advance(61);
    for (let i = 0; i < MAX_FILES; i++) await upload(t, token, bytes(300), `n${i}.txt`).expect(201);
  });

  // Past four uploads in flight for one token the answer is 429 (upload-admission.e2e-spec.ts), so
  // a refused upload here is 413 or 429; either way exactly the quota gets through.
  it('lets exactly the quota through when uploads race for the last places', async () => {
    const token = await t.mintToken('race-count');
    const before = storedNames().length;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => upload(t, token, bytes(10), `r${i}.txt`)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(MAX_FILES);
    expect(answers.every((a) => [201, 413, 429].includes(a.status))).toBe(true);
    expect(await listed(t, token)).toHaveLength(MAX_FILES);
    expect(storedNames()).toHaveLength(before + MAX_FILES);

    const byBytes = await t.mintToken('race-bytes');
    const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => upload(t, byBytes, bytes(400), `b${i}.txt`)));
    expect(racing.filter((a) => a.status === 201)).toHaveLength(2);
    expect(racing.every((a) => [201, 413, 429].includes(a.status))).toBe(true);
    expect(racing.filter((a) => a.status === 413).every((a) => a.body.error.message.includes('FILES_MAX_TOTAL_BYTES_PER_TOKEN'))).toBe(true);
    expect(storedNames()).toHaveLength(before + MAX_FILES + 2);
  });
});

describe('/run with an attachment that goes while the run waits for its slot', () => {
  let t: TestApp;
  let clock: ManualClock;
  let token: string;
  let queue: RunQueue;

  beforeAll(async () => {
    clock = new ManualClock();
    t = await startTestApp({ MAX_CONCURRENT_RUNS: '1', RUN_QUEUE_MAX: '4' }, { clock });
    token = await t.mintToken('queued');
    queue = t.app.get(RunQueue);
  });
  afterAll(() => t.close());

  const run = (body: object) => t.http().post('/run').set('Authorization', `Bearer ${token}`).send(body);
  const fileToken = async (name: string, ttlSecs = 3600) => (await upload(t, token, TEXT_NOTES, name, { ttl_secs: String(ttlSecs) }).expect(201)).body.file_token as string;

  /** Holds the one slot with a sleeping run, starts `waiting` behind it, and lets `meanwhile` act once it queues. */
  async function behindABusySlot(waiting: object, meanwhile: () => Promise<void>) {
    const holder = run({ prompt: 'FAKE:sleep:800' }).then((r) => r);
    await until(() => queue.running === 1, 'the first run has the slot');
    const queued = run(waiting).then((r) => r);
    await until(() => queue.waiting === 1, 'the second run waits');
    await meanwhile();
    const [first, second] = await Promise.all([holder, queued]);
    expect(first.status).toBe(200);
    await until(() => queue.running === 0 && queue.waiting === 0, 'every slot is released');
    return second;
  }

  it('404s file_not_found naming a file deleted via DELETE /files while the run queued, and the slot is free again', async () => {
    const file = await fileToken('deleted.txt');
    const res = await behindABusySlot({ prompt: 'FAKE:echo', files: [file] }, async () => {
      await t.http().delete(`/files/${file}`).set('Authorization', `Bearer ${token}`).expect(200);
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'file_not_found', message: `no file ${file}` });

    const next = await run({ prompt: 'FAKE:echo', files: [await fileToken('next.txt')] }).expect(200);
    expect(next.body.result.blocks[0].text).toContain('File: next.txt');
  });

  it('404s a file that expired while the run queued', async () => {
    const file = await fileToken('expiring.txt', 60);
    const res = await behindABusySlot({ prompt: 'FAKE:echo', files: [file] }, async () => clock.advance(61));
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'file_not_found', message: `no file ${file}` });
  });

  it('404s a file whose bytes vanished from disk while the run queued (its row still live)', async () => {
    const file = await fileToken('vanished.txt');
    const res = await behindABusySlot({ prompt: 'FAKE:echo', files: [file] }, async () => {
      const row = await t.app.get<Repository<StoredFile>>(getRepositoryToken(StoredFile)).findOneByOrFail({ fileToken: file });
      fs.rmSync(path.join(t.config.paths.filesDir, row.storageName));
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'file_not_found', message: `no file ${file}` });
  });

  it('answers a streaming run whose file went with a plain JSON 404: the stream never opened', async () => {
    const file = await fileToken('streamed.txt');
    const res = await behindABusySlot({ prompt: 'FAKE:echo', files: [file], stream: true }, async () => {
      await t.http().delete(`/files/${file}`).set('Authorization', `Bearer ${token}`).expect(200);
    });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe('file_not_found');
  });

  it('still 404s an unknown file at once, without queueing behind a busy slot', async () => {
    const holder = run({ prompt: 'FAKE:sleep:800' }).then((r) => r);
    await until(() => queue.running === 1, 'the first run has the slot');
    const res = await run({ prompt: 'FAKE:echo', files: ['ff_unknownunknownunknownunknown00'] }).expect(404);
    expect(res.body.error.code).toBe('file_not_found');
    expect(queue.waiting).toBe(0);
    expect(queue.running).toBe(1);
    expect((await holder).status).toBe(200);
  });
});

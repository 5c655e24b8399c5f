import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SweeperService } from '@clawdforge/sweeper';
import { dialectSql } from '@clawdforge/core';
import { DataSource } from 'typeorm';
import { JPEG_HEAD, PDF_MINIMAL, PNG_1X1, TEXT_NOTES, ZIP_HEAD } from './support/sample-files';
import { ManualClock } from '@clawdforge/core/testing';
import { makeDataDir, startTestApp, TestApp } from './support/test-app';


describe('/files', () => {
  let t: TestApp;
  let clock: ManualClock;
  let alice: string;
  let bob: string;
  const upload = (token: string, content: Buffer, filename = 'note.txt', fields: Record<string, string> = {}) => {
    const req = t.http().post('/files').set('Authorization', `Bearer ${token}`);
    for (const [name, value] of Object.entries(fields)) req.field(name, value);
    return req.attach('file', content, filename);
  };
  const storedNames = () => fs.readdirSync(t.config.paths.filesDir);
  /** A multipart body written byte for byte, so the filename reaches the server exactly as given. */
  const rawUpload = (token: string, filename: string, content: Buffer) => {
    const boundary = 'cf-test-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const body = Buffer.concat([Buffer.from(head, 'utf8'), content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    return t.http().post('/files').set('Authorization', `Bearer ${token}`).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body);
  };

  beforeAll(async () => {
    clock = new ManualClock(Date.parse('2026-11-24T12:00:00.000Z'));
    t = await startTestApp({ FILES_MAX_BYTES: String(64 * 1024), RUN_ATTACHMENTS_MAX_BYTES: String(100 * 1024) }, { clock });
    alice = await t.mintToken('alice');
    bob = await t.mintToken('bob');
  });
  afterAll(() => t.close());

  it('stores an upload under a random name and answers with its token, size, hash and detected type', async () => {
    const res = await upload(alice, PNG_1X1, 'photo.jpg').expect(201);
    expect(res.body).toEqual({
      ok: true,
      file_token: expect.stringMatching(/^ff_[A-Za-z0-9_-]{32}$/),
      name: 'photo.jpg',
      size: PNG_1X1.length,
      sha256: require('node:crypto').createHash('sha256').update(PNG_1X1).digest('hex'),
      media_type: 'image/png',
      ttl_secs: 3600,
      created_at: '2026-11-24T12:00:00.000Z',
      expires_at: '2026-11-24T13:00:00.000Z',
    });
    expect(storedNames()).not.toContain('photo.jpg');
    expect(storedNames().every((name) => /^[0-9a-f-]{36}$/.test(name))).toBe(true);
  });

  it.each([
    [JPEG_HEAD, 'a.jpeg', 'image/jpeg'],
    [PDF_MINIMAL, 'a.pdf', 'application/pdf'],
    [TEXT_NOTES, 'notes.md', 'text/plain; charset=utf-8'],
  ])('detects %#: %s as %s from its content', async (content, name, mediaType) => {
    expect((await upload(alice, content, name).expect(201)).body.media_type).toBe(mediaType);
  });

  it('refuses a type the model cannot read with 415 naming the file, keeping nothing', async () => {
    const before = storedNames().length;
    const res = await upload(alice, ZIP_HEAD, 'archive.zip').expect(415);
    expect(res.body.error).toMatchObject({ code: 'unsupported_media_type', field: 'file' });
    expect(res.body.error.message).toContain('archive.zip');
    expect(storedNames()).toHaveLength(before);
  });

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['x'.repeat(300), 'x'.repeat(200)],
  ])('keeps the hostile filename %j as the harmless label %j', async (name, expected) => {
    const res = await rawUpload(alice, name, TEXT_NOTES).expect(201);
    expect(res.body.name).toBe(expected);
    expect(fs.existsSync(path.join(t.config.paths.filesDir, expected))).toBe(false);
  });

  it.each(['nul\u0000byte.txt', 'evil\nname.txt', 'tab\tand\u001bescape.txt', '..', '/'])(
    '400s the filename %j (control characters, or no name left) and keeps nothing',
    async (name) => {
      const before = storedNames().length;
      const res = await rawUpload(alice, name, TEXT_NOTES).expect(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_request', field: 'file' });
      expect(storedNames()).toHaveLength(before);
    },
  );

  it.each([
    [{ ttl_secs: '59' }, 'ttl_secs'],
    [{ ttl_secs: '86401' }, 'ttl_secs'],
    [{ ttl_secs: 'soon' }, 'ttl_secs'],
    [{ other: 'x' }, 'other'],
  ])('400s %j naming %s and keeps no bytes', async (fields, field) => {
    const before = storedNames().length;
    const res = await upload(alice, TEXT_NOTES, 'n.txt', fields).expect(400);
    expect(res.body.error.field).toBe(field);
    expect(storedNames()).toHaveLength(before);
  });

  it('honours ttl_secs', async () => {
    const res = await upload(alice, TEXT_NOTES, 'short.txt', { ttl_secs: '60' }).expect(201);
    expect(res.body).toMatchObject({ ttl_secs: 60, expires_at: '2026-11-24T12:01:00.000Z' });
  });

  it('400s a request without the file field, or with a different one', async () => {
    await t.http().post('/files').set('Authorization', `Bearer ${alice}`).field('ttl_secs', '60').expect(400);
    const wrong = await t.http().post('/files').set('Authorization', `Bearer ${alice}`).attach('upload', TEXT_NOTES, 'x.txt').expect(400);
    expect(wrong.body.error.field).toBe('file');
    const json = await t.http().post('/files').set('Authorization', `Bearer ${alice}`).send({ file: 'x' }).expect(400);
    expect(json.body.error.field).toBe('file');
  });

  it('413s past FILES_MAX_BYTES and leaves no partial file', async () => {
    const before = storedNames().length;
    const res = await upload(alice, Buffer.alloc(64 * 1024 + 1, 0x61), 'big.txt').expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(storedNames()).toHaveLength(before);
  });

  it('lists only the caller’s live files, and another token’s file is 404 on delete', async () => {
    const mine = (await upload(alice, TEXT_NOTES, 'mine.txt').expect(201)).body.file_token;
    const theirs = (await upload(bob, TEXT_NOTES, 'theirs.txt').expect(201)).body.file_token;
    const listed = await t.http().get('/files').set('Authorization', `Bearer ${alice}`).expect(200);
    const tokens = listed.body.items.map((i: { file_token: string }) => i.file_token);
    expect(tokens).toContain(mine);
    expect(tokens).not.toContain(theirs);

    const denied = await t.http().delete(`/files/${theirs}`).set('Authorization', `Bearer ${alice}`).expect(404);
    expect(denied.body.error.code).toBe('file_not_found');
    await t.http().delete(`/files/${theirs}`).set('Authorization', `Bearer ${bob}`).expect(200);
    await t.http().delete(`/files/${theirs}`).set('Authorization', `Bearer ${bob}`).expect(404);
  });

  it('takes 20 concurrent uploads, each stored once with its own bytes', async () => {
    const before = storedNames().length;
    // Four at a time per token (more are refused at their first byte): five tokens.
    const uploaders = [alice, ...(await Promise.all(['c1', 'c2', 'c3', 'c4'].map((name) => t.mintToken(`concurrent-${name}`))))];
    const bodies = Array.from({ length: 20 }, (_, i) => Buffer.from(`upload number ${i}\n`.repeat(i + 1)));
    const answers = await Promise.all(bodies.map((body, i) => upload(uploaders[i % 5], body, `c${i}.txt`)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((a) => a.body.file_token)).size).toBe(20);
    answers.forEach((answer, i) => expect(answer.body.size).toBe(bodies[i].length));
    expect(storedNames()).toHaveLength(before + 20);
  });

  it('attaches files to a run in order: images and PDFs as content blocks, text as text, then the prompt', async () => {
    const png = (await upload(alice, PNG_1X1, 'dot.png').expect(201)).body.file_token;
    const pdf = (await upload(alice, PDF_MINIMAL, 'doc.pdf').expect(201)).body.file_token;
    const txt = (await upload(alice, TEXT_NOTES, 'notes.txt').expect(201)).body.file_token;
    const res = await t.http().post('/run').set('Authorization', `Bearer ${alice}`).send({ prompt: 'FAKE:echo', files: [png, pdf, txt] }).expect(200);
    expect(res.body.result.prompt).toBe('FAKE:echo');
    expect(res.body.result.blocks).toEqual([
      { type: 'image', media_type: 'image/png', bytes: PNG_1X1.length },
      { type: 'document', media_type: 'application/pdf', bytes: PDF_MINIMAL.length, title: 'doc.pdf' },
      { type: 'text', text: `File: notes.txt\n\n${TEXT_NOTES.toString('utf8')}` },
      { type: 'text', text: 'FAKE:echo' },
    ]);
  });

  it('404s a run naming another token’s file, naming it, and 400s something that is not a file token', async () => {
    const theirs = (await upload(bob, TEXT_NOTES, 'private.txt').expect(201)).body.file_token;
    const res = await t.http().post('/run').set('Authorization', `Bearer ${alice}`).send({ prompt: 'x', files: [theirs] }).expect(404);
    expect(res.body.error).toEqual({ code: 'file_not_found', message: `no file ${theirs}` });
    const bad = await t.http().post('/run').set('Authorization', `Bearer ${alice}`).send({ prompt: 'x', files: ['../../etc/passwd'] }).expect(400);
    expect(bad.body.error.field).toBe('files');
  });

  it('413s a run whose files together pass RUN_ATTACHMENTS_MAX_BYTES', async () => {
    const big = Buffer.alloc(60 * 1024, 0x61);
    const a = (await upload(alice, big, 'a.txt').expect(201)).body.file_token;
    const b = (await upload(alice, big, 'b.txt').expect(201)).body.file_token;
    await t.http().post('/run').set('Authorization', `Bearer ${alice}`).send({ prompt: 'FAKE:echo', files: [a] }).expect(200);
    const res = await t.http().post('/run').set('Authorization', `Bearer ${alice}`).send({ prompt: 'x', files: [a, b] }).expect(413);
    expect(res.body.error.code).toBe('attachments_too_large');
  });

  it('expires files: gone from the list, from runs and, after a sweep, from disk', async () => {
    const token = (await upload(alice, TEXT_NOTES, 'ephemeral.txt', { ttl_secs: '120' }).expect(201)).body.file_token;
    const filesBefore = storedNames().length;
    clock.advance(121);
    const listed = await t.http().get('/files').set('Authorization', `Bearer ${alice}`).query({ limit: '1000' }).expect(200);
    expect(listed.body.items.map((i: { file_token: string }) => i.file_token)).not.toContain(token);
    const run = await t.http().post('/run').set('Authorization', `Bearer ${alice}`).send({ prompt: 'x', files: [token] }).expect(404);
    expect(run.body.error).toEqual({ code: 'file_not_found', message: `no file ${token}` });

    const report = await t.app.get(SweeperService).sweep();
    expect(report.expiredFiles).toBeGreaterThanOrEqual(1);
    expect(storedNames().length).toBeLessThan(filesBefore);
  });
});

describe('/files reconciliation at boot', () => {
  it('removes bytes without a row and rows without bytes (on PostgreSQL only bytes an hour old)', async () => {
    const dataDir = makeDataDir();
    const first = await startTestApp({}, { dataDir });
    const token = await first.mintToken('app');
    const kept = (await first.http().post('/files').set('Authorization', `Bearer ${token}`).attach('file', TEXT_NOTES, 'kept.txt').expect(201)).body.file_token;
    const lost = (await first.http().post('/files').set('Authorization', `Bearer ${token}`).attach('file', TEXT_NOTES, 'lost.txt').expect(201)).body.file_token;
    const filesDir = first.config.paths.filesDir;
    const db = first.app.get(DataSource);
    const [{ storage_name: lostName }] = await db.query(dialectSql(db, 'SELECT storage_name FROM stored_files WHERE file_token = ?'), [lost]);
    await first.close();

    const names = fs.readdirSync(filesDir);
    // A crash mid-upload leaves bytes under a name the storage engine chose: a UUID.
    const orphan = randomUUID();
    fs.writeFileSync(path.join(filesDir, orphan), 'partial');
    fs.rmSync(path.join(filesDir, lostName));
    expect(names).toContain(lostName);

    // Old enough not to be an upload still under way on another instance.
    const longAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(path.join(filesDir, orphan), longAgo, longAgo);
    const young = randomUUID();
    fs.writeFileSync(path.join(filesDir, young), 'being written');

    const second = await startTestApp({}, { dataDir });
    try {
      const left = fs.readdirSync(filesDir);
      expect(left).not.toContain(orphan);
      const listed = await second.http().get('/files').set('Authorization', `Bearer ${token}`).expect(200);
      const tokens = listed.body.items.map((i: { file_token: string }) => i.file_token);
      if (second.config.database.url === null) {
        // SQLite: one instance, so nothing else can be uploading while it starts.
        expect(left).not.toContain(young);
        expect(tokens).toEqual([kept]);
      } else {
        // PostgreSQL: FILES_DIR may be shared with instances uploading right now, and a row's bytes
        // may be on a disk this instance does not see: both are left alone.
        expect(left).toContain(young);
        expect(tokens.sort()).toEqual([kept, lost].sort());
      }
    } finally {
      await second.close();
    }
  });
});

import { Logger } from '@nestjs/common';
import { encodeCursor } from '@clawdforge/core';
import { newFilesService, uploadedFile } from '@clawdforge/files/testing';
import { AttachmentsTooLargeError, FileBytesQuotaError, FileCountQuotaError, FileNotFoundError, UnsupportedFileTypeError } from './files-errors';
import { FILE_TOKEN_PREFIX } from './files.service';
import { TEXT_TYPE } from './media-type';

const ALICE = 1;
const BOB = 2;
const HOUR = 3600;

describe('FilesService', () => {
  let files: ReturnType<typeof newFilesService>;
  /** Stores an upload as POST /files does once its bytes are written. */
  const store = (owner: number, fields: Parameters<typeof uploadedFile>[0] = {}, ttlSecs = HOUR) => {
    const upload = uploadedFile(fields);
    files.bytes.put(upload.filename);
    return files.service.store(owner, upload, ttlSecs);
  };
  const refusal = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => error);

  beforeEach(() => {
    files = newFilesService({ FILES_MAX_PER_TOKEN: '3', FILES_MAX_TOTAL_BYTES_PER_TOKEN: '1000', RUN_ATTACHMENTS_MAX_BYTES: '500' });
  });

  describe('store', () => {
    it('records the upload under a fresh file token, its type read from its bytes and its name made harmless', async () => {
      const upload = uploadedFile({ name: '../../etc/report\u202Efdp.txt', kind: 'png', size: 321 });
      const stored = await files.service.store(ALICE, upload, HOUR);
      expect(stored.fileToken.startsWith(FILE_TOKEN_PREFIX)).toBe(true);
      expect(stored).toMatchObject({ ownerTokenId: ALICE, originalName: 'reportfdp.txt', mediaType: 'image/png', size: 321, storageName: upload.filename });
      expect(files.rows.rows).toHaveLength(1);
    });

    it('gives every file its own token', async () => {
      const tokens = new Set([(await store(ALICE)).fileToken, (await store(ALICE)).fileToken, (await store(BOB)).fileToken]);
      expect(tokens.size).toBe(3);
    });

    it('keeps text as UTF-8 text', async () => {
      expect((await store(ALICE, { kind: 'text' })).mediaType).toBe(TEXT_TYPE);
    });

    it('refuses bytes the model cannot read, 415 naming the file, and records nothing', async () => {
      const error = await refusal(store(ALICE, { name: 'archive.zip', kind: 'binary' }));
      expect(error).toBeInstanceOf(UnsupportedFileTypeError);
      expect(error).toMatchObject({ status: 415, code: 'unsupported_media_type', field: 'file' });
      expect((error as Error).message).toContain('"archive.zip"');
      expect(files.rows.rows).toHaveLength(0);
    });

    it('sets the expiry TTL seconds from now', async () => {
      const stored = await store(ALICE, {}, 90);
      expect(stored.createdAt).toEqual(files.clock.now());
      expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(90_000);
    });
  });

  describe('quotas', () => {
    it('refuses a file past FILES_MAX_PER_TOKEN, 413 naming the setting, and records nothing', async () => {
      for (let i = 0; i < 3; i++) await store(ALICE, { size: 1 });
      const error = await refusal(store(ALICE, { size: 1 }));
      expect(error).toBeInstanceOf(FileCountQuotaError);
      expect(error).toMatchObject({ status: 413, code: 'payload_too_large' });
      expect((error as Error).message).toContain('FILES_MAX_PER_TOKEN (3)');
      expect(files.rows.rows).toHaveLength(3);
    });

    it('takes bytes up to FILES_MAX_TOTAL_BYTES_PER_TOKEN exactly, and refuses one byte more naming what it would come to', async () => {
      await store(ALICE, { size: 600 });
      await store(ALICE, { size: 400 });
      const error = await refusal(store(ALICE, { size: 1 }));
      expect(error).toBeInstanceOf(FileBytesQuotaError);
      expect(error).toMatchObject({ status: 413, code: 'payload_too_large' });
      expect((error as Error).message).toContain('(1 bytes) would take this token’s live files to 1001 bytes');
    });

    it('refuses one file bigger than the whole byte quota even when the token holds none', async () => {
      expect(await refusal(store(ALICE, { size: 1001 }))).toBeInstanceOf(FileBytesQuotaError);
    });

    it('names the count when both quotas are full', async () => {
      for (let i = 0; i < 3; i++) await store(ALICE, { size: 400 - i * 100 });
      expect(await refusal(store(ALICE, { size: 500 }))).toBeInstanceOf(FileCountQuotaError);
    });

    it('counts each token on its own', async () => {
      for (let i = 0; i < 3; i++) await store(ALICE, { size: 300 });
      await expect(store(BOB, { size: 1000 })).resolves.toMatchObject({ ownerTokenId: BOB });
      expect(await files.service.liveUsage(ALICE)).toEqual({ files: 3, bytes: 900 });
      expect(await files.service.liveUsage(BOB)).toEqual({ files: 1, bytes: 1000 });
    });

    it('gives the place of a deleted file back', async () => {
      const first = await store(ALICE, { size: 500 });
      await store(ALICE, { size: 500 });
      await files.service.delete(ALICE, first.fileToken);
      await expect(store(ALICE, { size: 500 })).resolves.toBeDefined();
    });

    it('gives the place of an expired file back, swept or not', async () => {
      await store(ALICE, { size: 1000 }, 60);
      files.clock.advance(60);
      await expect(store(ALICE, { size: 1000 })).resolves.toBeDefined();
      expect(await files.service.liveUsage(ALICE)).toEqual({ files: 1, bytes: 1000 });
    });
  });

  describe('list', () => {
    it('pages the token’s own live files, newest first, one row past the limit when more exist', async () => {
      const mine = [];
      for (let i = 0; i < 3; i++) mine.push(await store(ALICE, { name: `${i}.txt`, size: 1 }));
      await store(BOB);
      const first = await files.service.list(ALICE, 2);
      expect(first.map((file) => file.originalName)).toEqual(['2.txt', '1.txt', '0.txt']);
      const rest = await files.service.list(ALICE, 2, encodeCursor(mine[1].id));
      expect(rest.map((file) => file.originalName)).toEqual(['0.txt']);
    });

    it('leaves out files past their expiry', async () => {
      await store(ALICE, { name: 'short.txt' }, 60);
      await store(ALICE, { name: 'long.txt' }, 120);
      files.clock.advance(60);
      expect((await files.service.list(ALICE, 10)).map((file) => file.originalName)).toEqual(['long.txt']);
    });

    it('lists every owner’s live files for the admin, or those of the owners named', async () => {
      await store(ALICE, { name: 'a.txt' });
      await store(BOB, { name: 'b.txt' });
      await store(3, { name: 'c.txt' }, 1);
      files.clock.advance(1);
      expect((await files.service.listAll(10)).map((file) => file.originalName)).toEqual(['b.txt', 'a.txt']);
      expect((await files.service.listAll(10, [BOB])).map((file) => file.originalName)).toEqual(['b.txt']);
      expect(await files.service.listAll(10, [])).toEqual([]);
    });
  });

  describe('delete', () => {
    it('removes the row and the bytes, and answers what it removed', async () => {
      const stored = await store(ALICE);
      const deleted = await files.service.delete(ALICE, stored.fileToken);
      expect(deleted.fileToken).toBe(stored.fileToken);
      expect(files.rows.rows).toHaveLength(0);
      expect(files.bytes.bytes.has(stored.storageName)).toBe(false);
    });

    it('answers another token’s file as unknown, 404, and leaves it alone', async () => {
      const bobs = await store(BOB);
      const error = await refusal(files.service.delete(ALICE, bobs.fileToken));
      expect(error).toBeInstanceOf(FileNotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'file_not_found', message: `no file ${bobs.fileToken}` });
      expect(files.rows.rows).toHaveLength(1);
      expect(files.bytes.bytes.has(bobs.storageName)).toBe(true);
    });

    it('answers a file past its expiry, and one already deleted, as unknown', async () => {
      const expiring = await store(ALICE, {}, 60);
      const deleted = await store(ALICE);
      await files.service.delete(ALICE, deleted.fileToken);
      files.clock.advance(60);
      await expect(files.service.delete(ALICE, expiring.fileToken)).rejects.toBeInstanceOf(FileNotFoundError);
      await expect(files.service.delete(ALICE, deleted.fileToken)).rejects.toBeInstanceOf(FileNotFoundError);
    });

    it('names an unknown token in its 404 cut to 80 characters', async () => {
      const long = `${FILE_TOKEN_PREFIX}${'x'.repeat(200)}`;
      const error = await refusal(files.service.delete(ALICE, long));
      expect((error as Error).message).toBe(`no file ${long.slice(0, 80)}`);
    });
  });

  describe('attachments', () => {
    it('answers nothing for no files', async () => {
      expect(await files.service.attachments(ALICE, [])).toEqual([]);
    });

    it('answers the caller’s files in the order given, once each, where their bytes are', async () => {
      const first = await store(ALICE, { name: 'first.txt', size: 10 });
      const second = await store(ALICE, { name: 'second.png', kind: 'png', size: 20 });
      const attached = await files.service.attachments(ALICE, [second.fileToken, first.fileToken, second.fileToken]);
      expect(attached).toEqual([
        { fileToken: second.fileToken, name: 'second.png', mediaType: 'image/png', size: 20, path: files.bytes.pathOf(second.storageName) },
        { fileToken: first.fileToken, name: 'first.txt', mediaType: TEXT_TYPE, size: 10, path: files.bytes.pathOf(first.storageName) },
      ]);
    });

    it('refuses another token’s file as unknown, naming it', async () => {
      const mine = await store(ALICE);
      const bobs = await store(BOB);
      const error = await refusal(files.service.attachments(ALICE, [mine.fileToken, bobs.fileToken]));
      expect(error).toBeInstanceOf(FileNotFoundError);
      expect((error as Error).message).toBe(`no file ${bobs.fileToken}`);
    });

    it('refuses a file past its expiry as unknown', async () => {
      const expiring = await store(ALICE, {}, 60);
      files.clock.advance(59);
      await expect(files.service.attachments(ALICE, [expiring.fileToken])).resolves.toHaveLength(1);
      files.clock.advance(1);
      await expect(files.service.attachments(ALICE, [expiring.fileToken])).rejects.toBeInstanceOf(FileNotFoundError);
    });

    it('takes files up to RUN_ATTACHMENTS_MAX_BYTES together, counting a file named twice once, and refuses more, 413', async () => {
      const big = await store(ALICE, { size: 300 });
      const small = await store(ALICE, { size: 200 });
      const extra = await store(ALICE, { size: 1 });
      await expect(files.service.attachments(ALICE, [big.fileToken, small.fileToken, big.fileToken])).resolves.toHaveLength(2);
      const error = await refusal(files.service.attachments(ALICE, [big.fileToken, small.fileToken, extra.fileToken]));
      expect(error).toBeInstanceOf(AttachmentsTooLargeError);
      expect(error).toMatchObject({ status: 413, code: 'attachments_too_large', message: 'the attached files total 501 bytes; a run takes at most 500' });
    });
  });

  describe('sweepExpired', () => {
    it('removes the rows and bytes of files at or past their expiry, and only those', async () => {
      const soon = await store(ALICE, {}, 60);
      const later = await store(BOB, {}, 61);
      files.clock.advance(60);
      expect(await files.service.sweepExpired()).toBe(1);
      expect(files.rows.rows.map((row) => row.fileToken)).toEqual([later.fileToken]);
      expect([...files.bytes.bytes.keys()]).toEqual([later.storageName]);
      expect(files.bytes.bytes.has(soon.storageName)).toBe(false);
      expect(await files.service.sweepExpired()).toBe(0);
    });
  });

  describe('reconcile, at start-up', () => {
    let warnings: string[];
    beforeEach(() => {
      warnings = [];
      jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
      jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    });
    afterEach(() => jest.restoreAllMocks());

    it('removes rows whose bytes are gone and bytes without a row, and says how many', async () => {
      const kept = await store(ALICE);
      const rowOnly = await store(ALICE);
      await files.bytes.remove(rowOnly.storageName);
      files.bytes.put('0b0e8a40-58f6-4d4c-9d8a-6c7b1f2e3d4c');
      await files.service.reconcile();
      expect(files.rows.rows.map((row) => row.fileToken)).toEqual([kept.fileToken]);
      expect([...files.bytes.bytes.keys()]).toEqual([kept.storageName]);
      expect(warnings).toEqual(['reconciled files: 1 rows without bytes, 1 files without rows removed']);
    });

    it('says nothing when rows and bytes agree', async () => {
      await store(ALICE);
      await files.service.reconcile();
      expect(files.rows.rows).toHaveLength(1);
      expect(warnings).toEqual([]);
    });

    describe('with instances sharing FILES_DIR (DATABASE_URL)', () => {
      beforeEach(() => {
        files = newFilesService({ DATABASE_URL: 'postgres://clawdforge@db.lan/clawdforge' });
      });

      it('keeps rows whose bytes it does not see: another instance may hold them', async () => {
        const stored = await store(ALICE);
        await files.bytes.remove(stored.storageName);
        await files.service.reconcile();
        expect(files.rows.rows).toHaveLength(1);
      });

      it('keeps bytes without a row for an hour (an upload in progress elsewhere), and removes older ones', async () => {
        files.bytes.put('1d7c2a9e-5f3b-4e6a-8c1d-2b3a4c5d6e7f', 59 * 60_000).put('2e8d3b0f-6a4c-4f7b-9d2e-3c4b5d6e7f80', 60 * 60_000);
        await files.service.reconcile();
        expect([...files.bytes.bytes.keys()]).toEqual(['1d7c2a9e-5f3b-4e6a-8c1d-2b3a4c5d6e7f']);
      });
    });
  });
});

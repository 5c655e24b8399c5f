import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { requestContext } from '@clawdforge/core';
import { hasControlCharacters } from './file-name';
import { FileNameControlCharactersError } from './files-errors';
import { SIGNATURE_BYTES } from './media-type';
import type { UploadAdmission } from './upload-admission';
import { HashedUpload, newStorageName } from './uploaded-file';
import { Utf8TextCheck } from './utf8-text-check';

/**
 * Streams an upload straight to FILES_DIR under a random name, hashing it and checking whether it
 * is text on the way, so a large upload never sits in memory and the client's filename never
 * becomes a path. Nothing is written before the upload is admitted at its first byte (a filename
 * without control characters, the token's quota and its uploads in flight), and each chunk is
 * counted against the token's byte quota before it is written.
 */
export class HashingDiskStorage implements StorageEngine {
  constructor(
    private readonly dir: string,
    private readonly admission: UploadAdmission,
  ) {}

  _handleFile(req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<Express.Multer.File> & HashedUpload) => void): void {
    this.receive(req, file).then(
      (info) => callback(null, info),
      (error: unknown) => callback(error),
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    (file as Express.Multer.File & Partial<HashedUpload>).admission?.release();
    fs.rm(file.path, { force: true }, (error) => callback(error ?? null));
  }

  private async receive(req: Request, file: Express.Multer.File): Promise<HashedUpload> {
    if (hasControlCharacters(file.originalname)) throw new FileNameControlCharactersError();
    const tokenId = requestContext(req).tokenId;
    if (tokenId === null) throw new Error('an upload reached the disk without an app token');
    const ticket = await this.admission.admit(tokenId);
    // However the request ends, the upload leaves the count (nothing to do once stored or released).
    req.res?.once('close', () => ticket.release());
    const filename = newStorageName();
    const target = path.join(this.dir, filename);
    const hash = createHash('sha256');
    const text = new Utf8TextCheck();
    const headChunks: Buffer[] = [];
    let headBytes = 0;
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, next) {
        try {
          ticket.add(chunk.length);
        } catch (error) {
          // Out of the count at once: what it wrote is about to go, however long the pipeline takes to unwind.
          ticket.release();
          next(error as Error);
          return;
        }
        hash.update(chunk);
        text.push(chunk);
        size += chunk.length;
        if (headBytes < SIGNATURE_BYTES) {
          headChunks.push(chunk.subarray(0, SIGNATURE_BYTES - headBytes));
          headBytes += Math.min(chunk.length, SIGNATURE_BYTES - headBytes);
        }
        next(null, chunk);
      },
    });
    try {
      await pipeline(file.stream, meter, fs.createWriteStream(target, { flags: 'wx', mode: 0o600 }));
    } catch (error) {
      await fs.promises.rm(target, { force: true });
      ticket.release();
      throw error;
    }
    return { path: target, filename, size, sha256: hash.digest('hex'), head: Buffer.concat(headChunks), wholeFileIsText: text.finish(), admission: ticket };
  }
}

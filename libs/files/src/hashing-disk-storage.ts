import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { SNIFF_BYTES } from './media-type';

const STORAGE_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Whether a name in FILES_DIR is one this engine writes (a randomUUID()), rather than someone else's file. */
export function isStorageName(name: string): boolean {
  return STORAGE_NAME.test(name);
}

/** What the storage engine adds to multer's file object. */
export interface HashedUpload {
  path: string;
  filename: string;
  size: number;
  sha256: string;
  /** The first bytes, for media type detection. */
  head: Buffer;
}

/**
 * Streams an upload straight to FILES_DIR under a random name, hashing it on the way, so a
 * large upload never sits in memory and the client's filename never becomes a path.
 */
export class HashingDiskStorage implements StorageEngine {
  constructor(private readonly dir: string) {}

  _handleFile(_req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<Express.Multer.File> & HashedUpload) => void): void {
    const filename = randomUUID();
    const target = path.join(this.dir, filename);
    const hash = createHash('sha256');
    const headChunks: Buffer[] = [];
    let headBytes = 0;
    let size = 0;
    file.stream.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
      if (headBytes < SNIFF_BYTES) {
        headChunks.push(chunk.subarray(0, SNIFF_BYTES - headBytes));
        headBytes += Math.min(chunk.length, SNIFF_BYTES - headBytes);
      }
    });
    pipeline(file.stream, fs.createWriteStream(target, { flags: 'wx', mode: 0o600 }), (error) => {
      if (error) {
        fs.rm(target, { force: true }, () => callback(error));
        return;
      }
      callback(null, { path: target, filename, size, sha256: hash.digest('hex'), head: Buffer.concat(headChunks) });
    });
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    fs.rm(file.path, { force: true }, (error) => callback(error ?? null));
  }
}

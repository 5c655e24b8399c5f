import { randomUUID } from 'node:crypto';
import type { UploadTicket } from './upload-ticket';

/** What the storage engine adds to multer's file object. */
export interface HashedUpload {
  path: string;
  filename: string;
  size: number;
  sha256: string;
  /** The first bytes, for the signatures of the media types. */
  head: Buffer;
  /** Whether every byte of the file read as UTF-8 text. */
  wholeFileIsText: boolean;
  /** Its place in its token's uploads in flight, until it is stored or given up. */
  admission: UploadTicket;
}

/** An upload as POST /files hands it on: multer's file, its bytes already in FILES_DIR. */
export type UploadedFile = Express.Multer.File & HashedUpload;

const STORAGE_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The name an upload's bytes get in FILES_DIR: random, never the client's. */
export function newStorageName(): string {
  return randomUUID();
}

/** Whether a name in FILES_DIR is one the storage engine writes (newStorageName), rather than someone else's file. */
export function isStorageName(name: string): boolean {
  return STORAGE_NAME.test(name);
}

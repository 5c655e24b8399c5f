// What specs of the files' rules, and of the runs that attach files, build them with:
// `@clawdforge/files/testing`. Never imported by the server or the CLI.
import { configFrom, ManualClock } from '@clawdforge/core/testing';
import type { FileStore } from '../file-store';
import { FilesService } from '../files.service';
import type { StoredFileRepository } from '../stored-file.repository';
import { newStorageName, type UploadedFile } from '../uploaded-file';
import { InMemoryFileStore, InMemoryStoredFiles } from './in-memory-files';

export * from './in-memory-files';

export interface FilesServiceUnderTest {
  service: FilesService;
  rows: InMemoryStoredFiles;
  bytes: InMemoryFileStore;
  clock: ManualClock;
}

/** The real FilesService on files kept in memory, configured by `env` as an operator would, on a clock the spec moves. */
export function newFilesService(env: Record<string, string> = {}, clock = new ManualClock(Date.parse('2026-12-02T12:00:00Z'))): FilesServiceUnderTest {
  const rows = new InMemoryStoredFiles();
  const bytes = new InMemoryFileStore();
  return { service: new FilesService(rows as unknown as StoredFileRepository, bytes as unknown as FileStore, configFrom(env), clock), rows, bytes, clock };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * An upload as the storage engine hands it on, its bytes already written under a fresh storage
 * name: UTF-8 text by default, a PNG's first bytes with `kind: 'png'`, bytes of no type the model
 * reads with `kind: 'binary'`.
 */
export function uploadedFile(fields: { name?: string; size?: number; kind?: 'text' | 'png' | 'binary' } = {}): UploadedFile {
  const kind = fields.kind ?? 'text';
  const filename = newStorageName();
  return {
    originalname: fields.name ?? 'notes.txt',
    filename,
    path: `/srv/clawdforge/data/files/${filename}`,
    size: fields.size ?? 100,
    sha256: '0'.repeat(64),
    head: kind === 'png' ? PNG_SIGNATURE : kind === 'binary' ? Buffer.from([0x00, 0x01, 0x02, 0x03]) : Buffer.from('hello'),
    wholeFileIsText: kind === 'text',
  } as UploadedFile;
}

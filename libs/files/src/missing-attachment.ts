import type { Attachment } from './files.service';
import { FileNotFoundError } from './files-errors';

/**
 * The 404 for `error` when it is an attachment's bytes found missing on read: deleted or swept in
 * the moment between resolving the file for a run and reading it. Anything else is not ours to name.
 */
export function missingAttachmentError(error: unknown, attachments: Attachment[]): FileNotFoundError | undefined {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (code !== 'ENOENT') return undefined;
  const gone = attachments.find((attachment) => attachment.path === path);
  return gone && new FileNotFoundError(gone.fileToken);
}

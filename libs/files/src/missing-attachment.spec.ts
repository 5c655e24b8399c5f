import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Attachment } from './files.service';
import { FileNotFoundError } from './files-errors';
import { missingAttachmentError } from './missing-attachment';

describe('missingAttachmentError', () => {
  const dir = os.tmpdir();
  const attachment = (fileToken: string): Attachment => ({
    fileToken,
    name: `${fileToken}.txt`,
    mediaType: 'text/plain; charset=utf-8',
    size: 1,
    path: path.join(dir, `clawdforge-missing-${fileToken}-${process.pid}`),
  });
  const attachments = [attachment('ff_a'), attachment('ff_b')];
  const readError = (file: string) => fs.readFile(file).then(() => undefined, (error: unknown) => error);

  it('names the attachment whose bytes a read found missing', async () => {
    const error = missingAttachmentError(await readError(attachments[1].path), attachments);
    expect(error).toBeInstanceOf(FileNotFoundError);
    expect(error).toMatchObject({ code: 'file_not_found', status: 404, message: 'no file ff_b' });
  });

  it.each([
    ['a missing file that is no attachment', async () => readError(path.join(dir, `clawdforge-not-attached-${process.pid}`))],
    ['another error on an attachment path', async () => Object.assign(new Error('EACCES'), { code: 'EACCES', path: attachments[0].path })],
    ['an error that is no filesystem error', async () => new Error('boom')],
    ['a thrown non-error', async () => undefined],
  ])('leaves %s alone', async (_what, make) => {
    expect(missingAttachmentError(await make(), attachments)).toBeUndefined();
  });
});

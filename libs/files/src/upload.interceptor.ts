import * as fs from 'node:fs/promises';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer from 'multer';
import { catchError, from, map, Observable, switchMap, throwError } from 'rxjs';
import { ApiError, AppConfig, InvalidRequestError } from '@clawdforge/core';
import { FileTooLargeError } from './files-errors';
import { HashingDiskStorage } from './hashing-disk-storage';
import { UploadAdmission } from './upload-admission';
import type { UploadedFile } from './uploaded-file';


/** Marks an upload as owned by a database row, so a later failure no longer removes it, and its bytes as live rather than in flight. */
export function commitUpload(req: Request): void {
  (req as Request & { uploadCommitted?: boolean }).uploadCommitted = true;
  (req.file as UploadedFile | undefined)?.admission.stored();
}

/**
 * Receives the multipart field `file` (one file, FILES_MAX_BYTES at most) to disk before the
 * handler runs, admitted at its first byte (HashingDiskStorage, UploadAdmission), and removes it
 * again unless the handler stored it: if anything after fails, validation included, or the request
 * is answered otherwise (a retry given the answer kept for its Idempotency-Key).
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  private readonly receive: ReturnType<ReturnType<typeof multer>['single']>;

  constructor(
    private readonly config: AppConfig,
    admission: UploadAdmission,
  ) {
    this.receive = multer({
      storage: new HashingDiskStorage(config.paths.filesDir, admission),
      // Browsers and curl send the filename as raw UTF-8 without a charset; busboy's default, latin1, garbles it.
      defParamCharset: 'utf8',
      limits: { fileSize: config.files.maxBytes, files: 1, fields: 8, fieldSize: 1024, parts: 10, headerPairs: 50 },
    }).single('file');
  }

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    return from(this.accept(req, res)).pipe(
      switchMap(() => next.handle()),
      // Answered without storing it (a retry given the first upload's answer): its bytes go too.
      switchMap((value: unknown) => from(this.discard(req)).pipe(map(() => value))),
      catchError((error: unknown) => from(this.discard(req)).pipe(switchMap(() => throwError(() => error)))),
    );
  }

  private async accept(req: Request, res: Response): Promise<void> {
    await fs.mkdir(this.config.paths.filesDir, { recursive: true });
    await new Promise<void>((resolve, reject) =>
      this.receive(req, res, (error: unknown) => (error ? reject(this.translate(error)) : resolve())),
    );
    if (!req.file) throw new InvalidRequestError('send the file as multipart/form-data field "file"', 'file');
  }

  private async discard(req: Request): Promise<void> {
    if (!req.file || (req as Request & { uploadCommitted?: boolean }).uploadCommitted) return;
    await fs.rm(req.file.path, { force: true });
    (req.file as UploadedFile).admission.release();
  }

  private translate(error: unknown): Error {
    // The storage engine's refusals (the filename, the quotas, uploads in flight) say what they are.
    if (error instanceof ApiError) return error;
    if (error instanceof multer.MulterError) {
      if (error.code === 'LIMIT_FILE_SIZE') return new FileTooLargeError(this.config.files.maxBytes);
      if (error.code === 'LIMIT_UNEXPECTED_FILE') return new InvalidRequestError(`only one file, in the field "file", is accepted (got "${String(error.field).slice(0, 64)}")`, 'file');
      return new InvalidRequestError(`the multipart body was refused: ${error.message.toLowerCase()}`, 'file');
    }
    // A filesystem failure (ENOSPC, EACCES…) is ours; anything else the parser raised is the client's body.
    const errno = (error as NodeJS.ErrnoException).code;
    if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) return error as Error;
    return new InvalidRequestError('the multipart body is malformed', 'file');
  }
}

import { ApiError, NotFoundError } from '@clawdforge/core';
import { SUPPORTED_DESCRIPTION } from './media-type';

/** Unknown, expired, or another token's: all look the same from outside. */
export class FileNotFoundError extends NotFoundError {
  constructor(fileToken: string) {
    super('file_not_found', `no file ${fileToken.slice(0, 80)}`);
  }
}

export class UnsupportedFileTypeError extends ApiError {
  constructor(name: string) {
    super('unsupported_media_type', `"${name}" is not a type the model can read; upload ${SUPPORTED_DESCRIPTION}`, 'file');
  }
}

export class FileTooLargeError extends ApiError {
  constructor(maxBytes: number) {
    super('payload_too_large', `the file exceeds FILES_MAX_BYTES (${maxBytes} bytes)`, 'file');
  }
}

export class FileCountQuotaError extends ApiError {
  constructor(maxFiles: number) {
    super('payload_too_large', `this token already holds FILES_MAX_PER_TOKEN (${maxFiles}) live files; delete some or let them expire`, 'file');
  }
}

export class FileBytesQuotaError extends ApiError {
  constructor(size: number, usedBytes: number, maxBytes: number) {
    super(
      'payload_too_large',
      `this upload (${size} bytes) would take this token’s live files to ${usedBytes + size} bytes, past FILES_MAX_TOTAL_BYTES_PER_TOKEN (${maxBytes} bytes); delete some or let them expire`,
      'file',
    );
  }
}

/** Refused as its bytes arrive, before they are written: `receivedBytes` is what had come when it went past. */
export class UploadPastBytesQuotaError extends ApiError {
  constructor(receivedBytes: number, otherBytes: number, maxBytes: number) {
    super(
      'payload_too_large',
      `this upload (${receivedBytes} bytes so far) would take this token’s live files and uploads in flight to ${otherBytes + receivedBytes} bytes, past FILES_MAX_TOTAL_BYTES_PER_TOKEN (${maxBytes} bytes); delete some or let them expire`,
      'file',
    );
  }
}

/** At an upload's first byte: no room left for any. */
export class FileBytesQuotaFullError extends ApiError {
  constructor(usedBytes: number, maxBytes: number) {
    super(
      'payload_too_large',
      `this token’s live files and uploads in flight already hold ${usedBytes} bytes of FILES_MAX_TOTAL_BYTES_PER_TOKEN (${maxBytes} bytes); delete some or let them expire`,
      'file',
    );
  }
}

export class TooManyUploadsError extends ApiError {
  constructor(maxInFlight: number) {
    super('too_many_requests', `this token already has ${maxInFlight} uploads in flight; send the next when one ends`, 'file', { 'Retry-After': '1' });
  }
}

export class FileNameControlCharactersError extends ApiError {
  constructor() {
    super('invalid_request', 'the filename holds control characters; rename the file', 'file');
  }
}

export class AttachmentsTooLargeError extends ApiError {
  constructor(total: number, maxBytes: number) {
    super('attachments_too_large', `the attached files total ${total} bytes; a run takes at most ${maxBytes}`, 'files');
  }
}

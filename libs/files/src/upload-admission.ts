import { Injectable } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { FileBytesQuotaFullError, FileCountQuotaError, TooManyUploadsError } from './files-errors';
import { FilesService } from './files.service';
import { TokenUploads, UploadTicket } from './upload-ticket';

/** Uploads one token may have in flight on one instance; the next is refused at its first byte. */
export const MAX_UPLOADS_IN_FLIGHT_PER_TOKEN = 4;

/**
 * Admits an upload at its first byte, before anything is written: a token already holding
 * FILES_MAX_PER_TOKEN live files, or FILES_MAX_TOTAL_BYTES_PER_TOKEN live bytes with those of its
 * uploads in flight, is refused with 413; one with MAX_UPLOADS_IN_FLIGHT_PER_TOKEN uploads in
 * flight with 429. An admitted upload's bytes count against the byte quota as they arrive
 * (UploadTicket). The count is this instance's: several instances on one database each keep their
 * own, and the quota check when the file is recorded (FilesService.store) still decides.
 */
@Injectable()
export class UploadAdmission {
  private readonly tokens = new Map<number, TokenUploads>();

  constructor(
    private readonly files: FilesService,
    private readonly config: AppConfig,
  ) {}

  async admit(ownerTokenId: number): Promise<UploadTicket> {
    const existing = this.tokens.get(ownerTokenId);
    // Decided before the database is read, so uploads arriving together cannot all pass; a token
    // at its quota hears that (413) rather than to retry (429), hence the read either way.
    const overCap = (existing?.uploads ?? 0) >= MAX_UPLOADS_IN_FLIGHT_PER_TOKEN;
    const state = existing ?? { uploads: 0, bytesInFlight: 0, liveFiles: 0, liveBytes: 0, stored: 0 };
    if (!overCap) {
      state.uploads += 1;
      this.tokens.set(ownerTokenId, state);
    }
    const ticket = new UploadTicket(state, this.config.files.maxTotalBytesPerToken, (done) => this.drop(ownerTokenId, done));
    const storedBefore = state.stored;
    try {
      const live = await this.files.liveUsage(ownerTokenId);
      // A read begun before an upload was stored here may not hold it; the state then already does.
      if (state.stored === storedBefore) {
        state.liveFiles = live.files;
        state.liveBytes = live.bytes;
      }
      if (state.liveFiles >= this.config.files.maxPerToken) throw new FileCountQuotaError(this.config.files.maxPerToken);
      if (state.liveBytes + state.bytesInFlight >= this.config.files.maxTotalBytesPerToken) {
        throw new FileBytesQuotaFullError(state.liveBytes + state.bytesInFlight, this.config.files.maxTotalBytesPerToken);
      }
      if (overCap) throw new TooManyUploadsError(MAX_UPLOADS_IN_FLIGHT_PER_TOKEN);
    } catch (error) {
      if (!overCap) ticket.release();
      throw error;
    }
    return ticket;
  }

  private drop(ownerTokenId: number, state: TokenUploads): void {
    if (state.uploads === 0 && this.tokens.get(ownerTokenId) === state) this.tokens.delete(ownerTokenId);
  }
}

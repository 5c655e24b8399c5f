import { UploadPastBytesQuotaError } from './files-errors';

/** What this instance knows of one token's uploads while any is in flight. */
export interface TokenUploads {
  /** Uploads admitted and not yet stored or given up. */
  uploads: number;
  /** Their bytes received so far. */
  bytesInFlight: number;
  /** Live files and bytes as last read from the database, plus what was stored here since. */
  liveFiles: number;
  liveBytes: number;
  /** Uploads stored here since the state was made: a read begun before one of them is older than the state. */
  stored: number;
}

/**
 * One admitted upload: its bytes are counted against the token's byte quota as they arrive
 * (`add`, before they are written), and it leaves the count when it is stored (`stored`) or given
 * up (`release`), whichever comes first; `onDone` drops the token's state once none is in flight.
 */
export class UploadTicket {
  private bytes = 0;
  private done = false;

  constructor(
    private readonly state: TokenUploads,
    private readonly maxBytes: number,
    private readonly onDone: (state: TokenUploads) => void,
  ) {}

  /** Counts `n` more bytes of this upload; throws, counting nothing, when they would take the token past its byte quota. */
  add(n: number): void {
    const others = this.state.liveBytes + this.state.bytesInFlight - this.bytes;
    if (others + this.bytes + n > this.maxBytes) throw new UploadPastBytesQuotaError(this.bytes + n, others, this.maxBytes);
    this.bytes += n;
    this.state.bytesInFlight += n;
  }

  /** The upload is a live file now: its bytes move from in flight to live. */
  stored(): void {
    if (this.done) return;
    this.state.liveFiles += 1;
    this.state.liveBytes += this.bytes;
    this.state.stored += 1;
    this.finish();
  }

  /** The upload was refused or failed; its bytes are gone from disk. */
  release(): void {
    if (!this.done) this.finish();
  }

  private finish(): void {
    this.done = true;
    this.state.bytesInFlight -= this.bytes;
    this.state.uploads -= 1;
    this.onDone(this.state);
  }
}

/**
 * Whether a whole stream of bytes is UTF-8 text without NUL or other binary control bytes, fed
 * chunk by chunk as it arrives: a text head can hide anything behind it (NULs and an ELF header
 * after 8 KiB of prose), and a file is only called text once every byte of it has been read.
 */
export class Utf8TextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private text = true;

  push(chunk: Buffer): void {
    if (!this.text) return;
    for (const byte of chunk) {
      if (byte === 0 || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b)) {
        this.text = false;
        return;
      }
    }
    try {
      // A character cut at the end of one chunk is completed by the next.
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.text = false;
    }
  }

  /** Once the stream has ended: whether all of it was text, a character cut at the very end making it not. */
  finish(): boolean {
    if (!this.text) return false;
    try {
      this.decoder.decode();
      return true;
    } catch {
      return false;
    }
  }
}

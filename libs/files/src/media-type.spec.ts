import { detectMediaType, PDF_TYPE, TEXT_TYPE } from './media-type';
import { Utf8TextCheck } from './utf8-text-check';

/** What the storage engine does as an upload streams in, in chunks of `size`. */
function detect(content: Buffer, size = 7): string | null {
  const text = new Utf8TextCheck();
  for (let at = 0; at < content.length; at += size) text.push(content.subarray(at, at + size));
  return detectMediaType(content.subarray(0, 16), text.finish());
}

const bytes = (hex: string, pad = 16) => Buffer.concat([Buffer.from(hex, 'hex'), Buffer.alloc(pad, 0x20)]);

describe('detectMediaType', () => {
  it.each([
    [bytes('89504e470d0a1a0a'), 'image/png'],
    [bytes('ffd8ffe0'), 'image/jpeg'],
    [Buffer.from('GIF89a......'), 'image/gif'],
    [Buffer.from('GIF87a......'), 'image/gif'],
    [Buffer.concat([Buffer.from('RIFF'), Buffer.from([1, 2, 3, 4]), Buffer.from('WEBPVP8 ')]), 'image/webp'],
    [Buffer.from('%PDF-1.7\n'), PDF_TYPE],
    [Buffer.from('plain text, with tabs\tand\r\nnewlines'), TEXT_TYPE],
    [Buffer.from('Ünïcödé ✓ 😀'), TEXT_TYPE],
    [Buffer.alloc(0), TEXT_TYPE],
    [Buffer.from('GIF90a, not a GIF version'), TEXT_TYPE],
    [Buffer.from('RIFF1234WAVE, not WebP'), TEXT_TYPE],
  ])('%#: detects %s', (content, expected) => {
    expect(detect(content)).toBe(expected);
  });

  it.each([
    [bytes('504b0304'), 'zip'],
    [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), 'ELF'],
    [Buffer.from('text with a NUL\u0000 inside'), 'NUL'],
    [Buffer.from([0xc3, 0x28, 0x41]), 'invalid UTF-8'],
    [Buffer.concat([Buffer.alloc(10_000, 0x61), Buffer.alloc(16), Buffer.from([0x7f, 0x45, 0x4c, 0x46])]), 'a text head, then NULs and an ELF header'],
    [Buffer.concat([Buffer.alloc(10_000, 0x61), Buffer.from([0xc3, 0x28])]), 'a text head, then invalid UTF-8'],
  ])('%#: refuses %s', (content) => {
    expect(detect(content)).toBeNull();
  });

  it('reads a character split across chunks as one, and a character cut at the very end as not text', () => {
    const euro = Buffer.from('a€b€c');
    for (const size of [1, 2, 3, 4]) expect(detect(euro, size)).toBe(TEXT_TYPE);
    expect(detect(Buffer.from('abc€').subarray(0, 5))).toBeNull();
  });
});

import { detectMediaType, PDF_TYPE, TEXT_TYPE } from './media-type';

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
  ])('%#: detects %s', (head, expected) => {
    expect(detectMediaType(head, head.length)).toBe(expected);
  });

  it.each([
    [bytes('504b0304'), 'zip'],
    [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), 'ELF'],
    [Buffer.from('text with a NUL\u0000 inside'), 'NUL'],
    [Buffer.from([0xc3, 0x28, 0x41]), 'invalid UTF-8'],
  ])('%#: refuses %s', (head) => {
    expect(detectMediaType(head, head.length)).toBeNull();
  });

  it('accepts a UTF-8 character cut at the end of a partial head, but not of a whole file', () => {
    const cut = Buffer.from('abc€').subarray(0, 5);
    expect(detectMediaType(cut, 100)).toBe(TEXT_TYPE);
    expect(detectMediaType(cut, cut.length)).toBeNull();
  });
});

/** Small but real files of each kind the model takes, and one it does not. */
export const PNG_1X1 = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ab6a7e0a0000000049454e44ae426082',
  'hex',
);
export const JPEG_HEAD = Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(64, 0x11), Buffer.from('ffd9', 'hex')]);
export const PDF_MINIMAL = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
export const TEXT_NOTES = Buffer.from('Groceries: 2 cups of rice, 1 onion — and ümlauts.\n');
export const ZIP_HEAD = Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(100, 0)]);

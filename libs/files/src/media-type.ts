/**
 * The media types a run can hand to the model, detected from the content: five fixed signatures
 * in the first bytes, and a UTF-8 check of the whole file (Utf8TextCheck). The maintained sniffing
 * library (file-type) is ESM-only and this project is CommonJS.
 */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export const PDF_TYPE = 'application/pdf';
export const TEXT_TYPE = 'text/plain; charset=utf-8';
export const SUPPORTED_DESCRIPTION = 'PNG, JPEG, GIF or WebP images, PDF documents, or UTF-8 text';

/** How many leading bytes the signatures need. */
export const SIGNATURE_BYTES = 16;

const startsWith = (head: Buffer, bytes: number[], offset = 0) => bytes.every((byte, i) => head[offset + i] === byte);

/** The type of a file from its first bytes, or text when the whole file read as text (Utf8TextCheck); null for anything else. */
export function detectMediaType(head: Buffer, wholeFileIsText: boolean): string | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38]) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61) return 'image/gif';
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return PDF_TYPE;
  return wholeFileIsText ? TEXT_TYPE : null;
}

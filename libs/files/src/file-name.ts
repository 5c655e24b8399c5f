const MAX_NAME_CHARS = 200;
// Control characters (NUL, newlines, escapes) and the two path separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f/\\]/g;

/** A client's filename reduced to a harmless label: last path segment, no control characters, bounded. */
export function sanitizeFileName(name: string | undefined): string {
  const lastSegment = (name ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment.replace(UNSAFE, '').trim().slice(0, MAX_NAME_CHARS);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}

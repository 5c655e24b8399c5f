const MAX_NAME_CODE_POINTS = 200;
/**
 * Characters that can make a label lie about itself: control characters (C0 and C1), line and
 * paragraph separators, and invisible format characters, bidi overrides and isolates among them
 * (`invoice\u202Efdp.exe` displays as `invoiceexe.pdf`), plus the two path separators. The zero
 * width joiner and non-joiner are format characters too, but emoji sequences and several scripts
 * need them and they cannot reorder text, so they stay.
 */
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}/\\]|(?![\u200C\u200D])\p{Cf}/gu;

/** A client's filename reduced to a harmless label: last path segment, nothing invisible or reordering, bounded. */
export function sanitizeFileName(name: string | undefined): string {
  const lastSegment = (name ?? '').split(/[/\\]/).pop() ?? '';
  // By code points, so a cut never leaves half a surrogate pair.
  const cleaned = Array.from(lastSegment.replace(UNSAFE, '').trim()).slice(0, MAX_NAME_CODE_POINTS).join('');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}

const CONTROL = /\p{Cc}/u;

/**
 * Whether a client's filename holds a control character (C0, DEL or C1), which refuses the upload:
 * one rule however the name was sent, plain `filename=`, with the escapes browsers use (`%0A`), or
 * RFC 5987 `filename*=` (percent-encoded, which any byte survives).
 */
export function hasControlCharacters(name: string): boolean {
  return CONTROL.test(name);
}

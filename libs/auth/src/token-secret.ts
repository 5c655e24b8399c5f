import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';

export const APP_TOKEN_PREFIX = 'cf_';

/** `cf_` + 32 random bytes, base64url. */
export function generateAppToken(): string {
  return APP_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256, hex: what the database keeps instead of the token. One call, no hash object (every request hashes its token). */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** Compares two secrets in time independent of where they differ, and of their lengths. */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

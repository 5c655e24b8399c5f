import { createHash } from 'node:crypto';
import { APP_TOKEN_PREFIX, generateAppToken, hashToken, secretsEqual } from './token-secret';

describe('app token secrets', () => {
  it('are cf_ plus 32 random bytes in base64url', () => {
    const token = generateAppToken();
    expect(token.startsWith(APP_TOKEN_PREFIX)).toBe(true);
    const raw = Buffer.from(token.slice(APP_TOKEN_PREFIX.length), 'base64url');
    expect(raw).toHaveLength(32);
    expect(token.slice(APP_TOKEN_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateAppToken));
    expect(tokens.size).toBe(1000);
  });

  it('are stored as their SHA-256', () => {
    expect(hashToken('cf_abc')).toBe(createHash('sha256').update('cf_abc').digest('hex'));
    expect(hashToken('cf_abc')).not.toBe(hashToken('cf_abd'));
  });

  it('compare equal only when identical, whatever the lengths', () => {
    expect(secretsEqual('same-secret-value-0123456789', 'same-secret-value-0123456789')).toBe(true);
    expect(secretsEqual('same-secret-value-0123456789', 'same-secret-value-012345678')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
    expect(secretsEqual('Same-secret-value-0123456789', 'same-secret-value-0123456789')).toBe(false);
  });
});

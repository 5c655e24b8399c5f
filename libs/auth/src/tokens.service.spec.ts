import { encodeCursor } from '@clawdforge/core';
import { newTokensService } from '@clawdforge/auth/testing';
import { TokenNameTakenError, TokenNotFoundError } from './token-errors';
import { APP_TOKEN_PREFIX, hashToken } from './token-secret';
import { NO_POLICY } from './token-policy';
import { TOKEN_NAME_PATTERN } from './tokens.service';

describe('TokensService', () => {
  let tokens: ReturnType<typeof newTokensService>;
  beforeEach(() => {
    tokens = newTokensService();
  });

  describe('mint', () => {
    it('shows the plaintext once and keeps only its hash', async () => {
      const { token, plaintext } = await tokens.service.mint('app');
      expect(plaintext.startsWith(APP_TOKEN_PREFIX)).toBe(true);
      expect(token.tokenHash).toBe(hashToken(plaintext));
      expect(JSON.stringify(tokens.rows.rows)).not.toContain(plaintext);
    });

    it('gives every token its own plaintext', async () => {
      const first = await tokens.service.mint('one');
      const second = await tokens.service.mint('two');
      expect(first.plaintext).not.toBe(second.plaintext);
    });

    it('starts a token with no limits unless the mint gives some', async () => {
      const plain = await tokens.service.mint('plain');
      expect(plain.token).toMatchObject({ ...NO_POLICY, ipCidrs: null, lastUsedAt: null, revokedAt: null });
      const limited = await tokens.service.mint('limited', null, { models: ['haiku'], budgetUsdDay: 2, runsPerMinute: 5 });
      expect(limited.token).toMatchObject({ models: ['haiku'], budgetUsdDay: 2, runsPerMinute: 5, maxConcurrentRuns: null, budgetUsdMonth: null });
    });

    it.each([
      [['10.1.2.3/8'], ['10.0.0.0/8']],
      [['192.168.7.9/24', '2001:db8::1/32'], ['192.168.7.0/24', '2001:db8::/32']],
      [['127.0.0.1/32'], ['127.0.0.1/32']],
      [[], null],
      [null, null],
      [undefined, null],
    ])('keeps the CIDRs %j as their networks: %j', async (given, kept) => {
      const { token } = await tokens.service.mint('app', given);
      expect(token.ipCidrs).toEqual(kept);
    });

    it('refuses a name that has a live token, 409 token_name_taken', async () => {
      await tokens.service.mint('app');
      const refusal = await tokens.service.mint('app').catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(TokenNameTakenError);
      expect(refusal).toMatchObject({ status: 409, code: 'token_name_taken' });
      expect(tokens.rows.rows).toHaveLength(1);
    });

    it('mints a name again once its token is revoked: a rotation, with a new id', async () => {
      const old = await tokens.service.mint('app');
      await tokens.service.revoke('app');
      const rotated = await tokens.service.mint('app');
      expect(rotated.token.id).not.toBe(old.token.id);
      expect(await tokens.service.idsByName('app')).toEqual([old.token.id, rotated.token.id]);
    });

    it('refuses the second of two mints of one name racing past the check, as the unique index decides', async () => {
      jest.spyOn(tokens.rows, 'liveExists').mockResolvedValue(false);
      await tokens.service.mint('app');
      await expect(tokens.service.mint('app')).rejects.toBeInstanceOf(TokenNameTakenError);
    });
  });

  describe('get', () => {
    it('answers the live token of a name', async () => {
      const { token } = await tokens.service.mint('app');
      expect((await tokens.service.get('app')).id).toBe(token.id);
    });

    it('answers the most recently revoked token of a name without a live one', async () => {
      await tokens.service.mint('app');
      await tokens.service.revoke('app');
      const second = await tokens.service.mint('app');
      await tokens.service.revoke('app');
      expect((await tokens.service.get('app')).id).toBe(second.token.id);
    });

    it('prefers the live token to any revoked one', async () => {
      await tokens.service.mint('app');
      await tokens.service.revoke('app');
      const live = await tokens.service.mint('app');
      expect((await tokens.service.get('app')).id).toBe(live.token.id);
    });

    it('is 404 token_not_found for a name never minted', async () => {
      await expect(tokens.service.get('nobody')).rejects.toMatchObject({ status: 404, code: 'token_not_found' });
    });

    it.each(['', 'App', '-app', '_app', 'app name', 'app/..', 'a'.repeat(65), 'app%00', 'ünï'])('is 404 for %j, a name no token can have, without reading the table', async (name) => {
      const read = jest.spyOn(tokens.rows, 'latestNamed');
      await expect(tokens.service.get(name)).rejects.toBeInstanceOf(TokenNotFoundError);
      await expect(tokens.service.update(name, { models: null })).rejects.toBeInstanceOf(TokenNotFoundError);
      await expect(tokens.service.revoke(name)).rejects.toBeInstanceOf(TokenNotFoundError);
      expect(read).not.toHaveBeenCalled();
    });
  });

  describe('the names a token may have', () => {
    it.each(['a', '0', 'app', 'app-1', 'app_1', 'a'.repeat(64), '9lives'])('takes %j', (name) => {
      expect(TOKEN_NAME_PATTERN.test(name)).toBe(true);
    });

    it.each(['', 'A', 'app.', 'app!', 'a b', '-a', '_a', 'a'.repeat(65), 'é'])('refuses %j', (name) => {
      expect(TOKEN_NAME_PATTERN.test(name)).toBe(false);
    });
  });

  describe('update', () => {
    beforeEach(async () => {
      await tokens.service.mint('app', ['10.0.0.0/8'], { models: ['sonnet'], budgetUsdDay: 5, runsPerMinute: 10 });
    });

    it('changes the fields given and keeps the others', async () => {
      const updated = await tokens.service.update('app', { budgetUsdDay: 7 });
      expect(updated).toMatchObject({ budgetUsdDay: 7, models: ['sonnet'], runsPerMinute: 10, ipCidrs: ['10.0.0.0/8'] });
    });

    it('lifts a limit given as null', async () => {
      const updated = await tokens.service.update('app', { models: null, runsPerMinute: null });
      expect(updated).toMatchObject({ models: null, runsPerMinute: null, budgetUsdDay: 5 });
    });

    it('keeps new CIDRs as their networks, and lifts the pin with an empty list or null', async () => {
      expect((await tokens.service.update('app', { ipCidrs: ['172.16.5.4/12'] })).ipCidrs).toEqual(['172.16.0.0/12']);
      expect((await tokens.service.update('app', { ipCidrs: [] })).ipCidrs).toBeNull();
      await tokens.service.update('app', { ipCidrs: ['10.0.0.0/8'] });
      expect((await tokens.service.update('app', { ipCidrs: null })).ipCidrs).toBeNull();
    });

    it('writes nothing for an empty change, and answers the token as it is', async () => {
      const write = jest.spyOn(tokens.rows, 'update');
      expect(await tokens.service.update('app', {})).toMatchObject({ budgetUsdDay: 5 });
      expect(write).not.toHaveBeenCalled();
    });

    it('is 404 for a name whose token is revoked: only a live token changes', async () => {
      await tokens.service.revoke('app');
      await expect(tokens.service.update('app', { budgetUsdDay: 1 })).rejects.toBeInstanceOf(TokenNotFoundError);
    });

    it('is 404 for a name never minted', async () => {
      await expect(tokens.service.update('other', { budgetUsdDay: 1 })).rejects.toBeInstanceOf(TokenNotFoundError);
    });
  });

  describe('revoke', () => {
    it('revokes at once: the plaintext no longer authenticates', async () => {
      const { plaintext } = await tokens.service.mint('app');
      expect(await tokens.service.authenticate(plaintext)).not.toBeNull();
      const revoked = await tokens.service.revoke('app');
      expect(revoked.revokedAt).toBeInstanceOf(Date);
      expect(await tokens.service.authenticate(plaintext)).toBeNull();
    });

    it('is idempotent: revoking again answers the token as it was revoked', async () => {
      await tokens.service.mint('app');
      const first = await tokens.service.revoke('app');
      const again = await tokens.service.revoke('app');
      expect(again.id).toBe(first.id);
      expect(again.revokedAt).toEqual(first.revokedAt);
    });

    it('is 404 for a name never minted', async () => {
      await expect(tokens.service.revoke('nobody')).rejects.toMatchObject({ code: 'token_not_found' });
    });
  });

  describe('authenticate', () => {
    it('finds the live token by its plaintext, and nothing for another plaintext', async () => {
      const { token, plaintext } = await tokens.service.mint('app');
      expect((await tokens.service.authenticate(plaintext))?.id).toBe(token.id);
      expect(await tokens.service.authenticate(`${plaintext}x`)).toBeNull();
      expect(await tokens.service.authenticate('')).toBeNull();
    });

    it('does not count an authentication as a use', async () => {
      const { plaintext } = await tokens.service.mint('app');
      await tokens.service.authenticate(plaintext);
      expect(tokens.rows.usesMarked).toEqual([]);
    });
  });

  describe('markUsed', () => {
    afterEach(() => jest.useRealTimers());

    it('writes the first use, then at most once a minute', async () => {
      jest.useFakeTimers({ now: Date.parse('2026-12-02T12:00:00Z'), doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
      const { token } = await tokens.service.mint('app');
      await tokens.service.markUsed(token);
      expect(token.lastUsedAt).toEqual(new Date('2026-12-02T12:00:00Z'));
      jest.setSystemTime(Date.parse('2026-12-02T12:00:59Z'));
      expect(tokens.service.markUsed(token)).toBeUndefined();
      jest.setSystemTime(Date.parse('2026-12-02T12:01:00Z'));
      await tokens.service.markUsed(token);
      expect(tokens.rows.usesMarked.map((use) => use.at.toISOString())).toEqual(['2026-12-02T12:00:00.000Z', '2026-12-02T12:01:00.000Z']);
    });
  });

  describe('list', () => {
    it('pages oldest first, asking one row more than the page so the caller can tell whether more exist', async () => {
      for (const name of ['a', 'b', 'c', 'd']) await tokens.service.mint(name);
      const first = await tokens.service.list(2);
      expect(first.map((token) => token.name)).toEqual(['a', 'b', 'c']);
      const next = await tokens.service.list(2, encodeCursor(first[1].id));
      expect(next.map((token) => token.name)).toEqual(['c', 'd']);
    });

    it('lists revoked tokens beside live ones', async () => {
      await tokens.service.mint('a');
      await tokens.service.revoke('a');
      await tokens.service.mint('a');
      expect((await tokens.service.list(10)).map((token) => token.revokedAt === null)).toEqual([false, true]);
    });

    it.each(['not-a-cursor', encodeCursor(0), Buffer.from('{"id":"1"}').toString('base64url')])('refuses the cursor %j, 400 invalid_cursor', async (cursor) => {
      await expect(Promise.resolve().then(() => tokens.service.list(2, cursor))).rejects.toMatchObject({ status: 400, code: 'invalid_cursor', field: 'cursor' });
    });
  });

  it('names every token by id, revoked ones too, for admin listings', async () => {
    await tokens.service.mint('a');
    await tokens.service.revoke('a');
    await tokens.service.mint('b');
    expect(await tokens.service.namesById()).toEqual(new Map([[1, 'a'], [2, 'b']]));
  });
});

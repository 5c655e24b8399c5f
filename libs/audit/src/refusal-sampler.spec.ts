import { Logger } from '@nestjs/common';
import type { Request } from 'express';
import { Clock, requestContext } from '@clawdforge/core';
import type { AuditRecord, AuditService } from './audit.service';
import { REFUSALS_OWN_ROWS_PER_MINUTE, REFUSALS_OWN_ROWS_PER_PEER_MINUTE, REFUSAL_PEERS_PER_MINUTE, RefusalSampler } from './refusal-sampler';

class StepClock extends Clock {
  constructor(public ms: number) {
    super();
  }
  now(): Date {
    return new Date(this.ms);
  }
}

/** A request refused before routing, from `ip` (null: an address that could not be read). */
function refusedFrom(ip: string | null): Request {
  const req = { method: 'GET', url: '/x', headers: {} } as unknown as Request;
  requestContext(req).peer = { address: null, text: ip, allowedGlobally: false };
  return req;
}

describe('RefusalSampler', () => {
  const start = Date.parse('2026-12-02T10:00:00.000Z');
  let rows: AuditRecord[];
  let clock: StepClock;
  let sampler: RefusalSampler;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    rows = [];
    clock = new StepClock(start);
    const audit = { record: (row: AuditRecord) => (rows.push(row), Promise.resolve()), flush: () => Promise.resolve() } as unknown as AuditService;
    sampler = new RefusalSampler(audit, clock);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await sampler.beforeApplicationShutdown();
    warn.mockRestore();
  });

  /** Refuses `n` requests from `ip`; answers how many of them keep their own line and row. */
  const refuse = (ip: string | null, n: number) => {
    let own = 0;
    for (let i = 0; i < n; i++) {
      const req = refusedFrom(ip);
      sampler.refused(req);
      if (!requestContext(req).summarised) own++;
    }
    return own;
  };

  it('lets the first refusals of a peer each minute keep their own row and line, and sums up the rest in one row and one line', async () => {
    expect(refuse('192.0.2.7', 20_000)).toBe(REFUSALS_OWN_ROWS_PER_PEER_MINUTE);
    expect(rows).toEqual([]);
    await sampler.beforeApplicationShutdown();
    expect(rows).toEqual([
      expect.objectContaining({
        at: new Date(start),
        clientIp: '192.0.2.7',
        method: '*',
        route: '*',
        status: 403,
        errorCode: 'ip_not_allowed',
        tokenName: null,
        requests: 20_000 - REFUSALS_OWN_ROWS_PER_PEER_MINUTE,
      }),
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain(`${20_000 - REFUSALS_OWN_ROWS_PER_PEER_MINUTE} more requests from 192.0.2.7`);
  });

  it('starts over each minute, writing the last minute’s sums when the next one begins', () => {
    refuse('192.0.2.7', 50);
    clock.ms += 60_000;
    expect(refuse('192.0.2.7', 50)).toBe(REFUSALS_OWN_ROWS_PER_PEER_MINUTE);
    expect(rows).toEqual([expect.objectContaining({ at: new Date(start), requests: 50 - REFUSALS_OWN_ROWS_PER_PEER_MINUTE })]);
  });

  it('bounds the rows of their own all peers together get in a minute', () => {
    let own = 0;
    for (let i = 0; i < 100; i++) own += refuse(`198.51.100.${i}`, REFUSALS_OWN_ROWS_PER_PEER_MINUTE);
    expect(own).toBe(REFUSALS_OWN_ROWS_PER_MINUTE);
  });

  it('bounds the peers it counts: past REFUSAL_PEERS_PER_MINUTE, the others share one sum without an address', async () => {
    for (let i = 0; i < REFUSAL_PEERS_PER_MINUTE + 500; i++) refuse(`2001:db8::${i.toString(16)}`, 20);
    await sampler.beforeApplicationShutdown();
    expect(rows.length).toBe(REFUSAL_PEERS_PER_MINUTE + 1);
    const others = rows.filter((row) => row.clientIp === null);
    expect(others).toHaveLength(1);
    const total = rows.reduce((sum, row) => sum + (row.requests ?? 0), 0) + REFUSALS_OWN_ROWS_PER_MINUTE;
    expect(total).toBe((REFUSAL_PEERS_PER_MINUTE + 500) * 20);
  });

  it('sums up a peer whose address could not be read like any other', async () => {
    refuse(null, 30);
    await sampler.beforeApplicationShutdown();
    expect(rows).toEqual([expect.objectContaining({ clientIp: null, requests: 30 - REFUSALS_OWN_ROWS_PER_PEER_MINUTE })]);
  });
});

import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { Request } from 'express';
import type { DataSource } from 'typeorm';
import { loadConfig, requestContext } from '@clawdforge/core';
import { InstanceIdentity, InstanceRegistry } from '@clawdforge/cluster';
import { ClientIpPolicy } from '../client-ip.policy';
import { Public } from '../decorators/public.decorator';
import { IpNotAllowedError } from '../ip-errors';
import { IpAllowlistGuard } from './ip-allowlist.guard';

class Routes {
  protectedRoute() {}
  @Public()
  publicRoute() {}
}

function contextFor(ip: string | undefined, handler: () => void = Routes.prototype.protectedRoute) {
  const req = { ip, socket: { remoteAddress: ip }, route: { path: '/x' } } as unknown as Request;
  return { req, ctx: new ExecutionContextHost([req, {}], Routes, handler) };
}

function guardWith(allowCidrs: string) {
  const config = loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'x'.repeat(24), ALLOW_CIDRS: allowCidrs });
  // On SQLite there is no registry of instances (it never reads its data source): no request is ever a forwarded one.
  const policy = new ClientIpPolicy(config, new InstanceRegistry(config, {} as DataSource, new InstanceIdentity('here')));
  return { guard: new IpAllowlistGuard(policy, new Reflector()), policy };
}

describe('IpAllowlistGuard', () => {
  const { guard } = guardWith('10.0.0.0/8,2001:db8::/32');

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.20.30.40', true],
    ['::ffff:10.20.30.40', true],
    ['2001:db8:1::5', true],
    ['11.0.0.1', false],
    ['::ffff:11.0.0.1', false],
    ['2001:db9::1', false],
    ['fe80::1', false],
    ['0.0.0.0', false],
    // IPv4-compatible addresses are IPv6: neither loopback nor within an IPv4 range.
    ['::127.0.0.1', false],
    ['::10.20.30.40', false],
  ])('%s allowed: %s', (ip, allowed) => {
    const { ctx, req } = contextFor(ip);
    if (allowed) {
      expect(guard.canActivate(ctx)).toBe(true);
      expect(requestContext(req).clientIp).toBe(ip.replace('::ffff:', ''));
    } else {
      expect(() => guard.canActivate(ctx)).toThrow(IpNotAllowedError);
    }
  });

  it('refuses a request whose address cannot be read', () => {
    expect(() => guard.canActivate(contextFor(undefined).ctx)).toThrow(IpNotAllowedError);
  });

  it('checks public routes too, but marks them unaudited', () => {
    const inside = contextFor('127.0.0.1', Routes.prototype.publicRoute);
    expect(guard.canActivate(inside.ctx)).toBe(true);
    expect(requestContext(inside.req).audited).toBe(false);
    expect(() => guard.canActivate(contextFor('192.168.9.9', Routes.prototype.publicRoute).ctx)).toThrow(IpNotAllowedError);
  });

  it('admits only loopback when ALLOW_CIDRS is empty', () => {
    const { guard: loopbackOnly } = guardWith('');
    expect(loopbackOnly.canActivate(contextFor('127.0.0.1').ctx)).toBe(true);
    expect(() => loopbackOnly.canActivate(contextFor('10.0.0.1').ctx)).toThrow(IpNotAllowedError);
  });
});

describe('ClientIpPolicy.allowedForToken', () => {
  const { policy } = guardWith('');
  const at = (ip: string) => policy.clientAddress({ ip, socket: { remoteAddress: ip } } as unknown as Request)!;

  it.each([
    [null, '10.1.1.1', true],
    [[], '10.1.1.1', true],
    [['10.0.0.0/8'], '10.1.1.1', true],
    [['10.0.0.0/8'], '::ffff:10.1.1.1', true],
    [['10.0.0.0/8'], '127.0.0.1', false],
    [['10.0.0.0/8', '127.0.0.1/32'], '127.0.0.1', true],
    [['::1/128'], '::1', true],
    [['::1/128'], '127.0.0.1', false],
    [['fd00::/8'], 'fd12::1', true],
    [['fd00::/8'], '10.1.1.1', false],
    [['127.0.0.1/32'], '::127.0.0.1', false],
    [['10.0.0.0/8'], '::10.1.1.1', false],
  ])('token list %j, caller %s → %s', (cidrs, ip, allowed) => {
    expect(policy.allowedForToken(at(ip), cidrs)).toBe(allowed);
  });
});

describe('ClientIpPolicy.peer', () => {
  const { policy } = guardWith('10.0.0.0/8');
  const request = (remoteAddress: string, ip = remoteAddress) => ({ ip, socket: { remoteAddress }, headers: {} }) as unknown as Request;

  it('without TRUST_PROXY reads the socket, whatever req.ip (X-Forwarded-For) says', () => {
    expect(policy.peer(request('192.168.1.5', '127.0.0.1'))).toMatchObject({ text: '192.168.1.5', allowedGlobally: false });
    expect(policy.peer(request('::ffff:10.1.2.3'))).toMatchObject({ text: '10.1.2.3', allowedGlobally: true });
  });

  it('answers the same for an address seen before, and nothing for one that is not an address', () => {
    expect(policy.peer(request('10.9.9.9'))).toBe(policy.peer(request('10.9.9.9')));
    expect(policy.peer(request('not-an-ip'))).toEqual({ address: null, text: null, allowedGlobally: false });
  });
});

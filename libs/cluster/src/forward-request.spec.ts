import type { Request } from 'express';
import { forwardTarget } from './forward-request';

/** What Express leaves on a request that matched `pattern`, sent with `originalUrl` as its target. */
function matched(pattern: string, params: Record<string, string>, originalUrl: string): Request {
  return { route: { path: pattern }, params, originalUrl, url: originalUrl } as unknown as Request;
}

describe('forwardTarget', () => {
  const owner = 'http://10.0.0.2:8800';

  it.each([
    ['an absolute-form target naming another host', 'http://127.0.0.1:40399/sessions/abc/turn'],
    ['a target starting with two slashes (a scheme-relative URL)', '//127.0.0.1:40399/sessions/abc/turn'],
    ['a target with a query and a fragment', '/sessions/abc/turn?to=http://127.0.0.1:9/#x'],
    ['a target spelled in another case', '/SESSIONS/abc/TURN'],
  ])('goes to the owner’s URL and the route’s path whatever the client sent: %s', (_name, sent) => {
    const target = forwardTarget(owner, matched('/sessions/:id/turn', { id: 'abc' }, sent));
    expect(target.href).toBe('http://10.0.0.2:8800/sessions/abc/turn');
  });

  it('encodes a parameter, so it stays one path segment of the owner', () => {
    const target = forwardTarget(owner, matched('/sessions/:id', { id: '../../admin/tokens?x=//evil:1/' }, '/sessions/x'));
    expect(target.origin).toBe('http://10.0.0.2:8800');
    expect(target.pathname).toBe('/sessions/..%2F..%2Fadmin%2Ftokens%3Fx%3D%2F%2Fevil%3A1%2F');
    expect(target.search).toBe('');
  });

  it('keeps an IPv6 owner’s host and port', () => {
    expect(forwardTarget('http://[fd00::2]:8800', matched('/sessions/:id', { id: 'a' }, '/sessions/a')).href).toBe('http://[fd00::2]:8800/sessions/a');
  });

  it('refuses a request that matched no route, or lacks a parameter', () => {
    expect(() => forwardTarget(owner, { params: {}, originalUrl: 'http://elsewhere/' } as unknown as Request)).toThrow('matched a route');
    expect(() => forwardTarget(owner, matched('/sessions/:id', {}, '/sessions/a'))).toThrow('parameter id');
  });
});

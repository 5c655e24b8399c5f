import * as http from 'node:http';
import * as https from 'node:https';
import type { Request, Response } from 'express';

/** The client's headers that reach the other instance; nothing else of the client's is passed on. */
const PASSED_ON = ['authorization', 'accept', 'user-agent', 'x-request-id'];
/** The answer's headers that describe the connection to this hop, not the answer. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * Where `req` goes on another instance: that instance's registered `base` URL and the path of the
 * route that matched, its parameters filled in (`/sessions/:id/turn` → `/sessions/<id>/turn`).
 * Never the target the client sent: a target is the client's text, and an absolute one
 * (`http://elsewhere/…`) or one starting `//` would name a host of the client's choosing.
 */
export function forwardTarget(base: string, req: Request): URL {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) throw new Error('only a request that matched a route is forwarded');
  const params = req.params as Record<string, string | undefined>;
  const path = pattern.replace(/:(\w+)/g, (_match, name: string) => {
    const value = params[name];
    if (typeof value !== 'string') throw new Error(`route parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
  const owner = new URL(base);
  const target = new URL(path, owner);
  if (target.origin !== owner.origin) throw new Error('a forwarded request left its instance');
  return target;
}

/**
 * Sends `req` on to `target` (another instance, see forwardTarget), its JSON body as parsed, with
 * `headers` added, and streams the answer back as it comes (an SSE turn included). Resolves true
 * once the answer has begun, false when the other instance could not be reached and nothing was
 * written. A client that goes away ends the forwarded request, which the other instance takes as
 * its client going away.
 */
export function forwardRequest(req: Request, res: Response, target: URL, headers: Record<string, string>): Promise<boolean> {
  return new Promise((resolve) => {
    const body = hasJsonBody(req) ? Buffer.from(JSON.stringify(req.body)) : null;
    const outgoing: Record<string, string> = { ...headers };
    for (const name of PASSED_ON) {
      const value = req.headers[name];
      if (typeof value === 'string') outgoing[name] = value;
    }
    if (body) {
      outgoing['content-type'] = 'application/json';
      outgoing['content-length'] = String(body.length);
    }
    const send = target.protocol === 'https:' ? https.request : http.request;
    const upstream = send(target, { method: req.method, headers: outgoing }, (answer) => {
      res.status(answer.statusCode ?? 502);
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
      }
      res.flushHeaders();
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      resolve(true);
    });
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      resolve(false);
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body ?? undefined);
  });
}

function hasJsonBody(req: Request): boolean {
  return req.body !== undefined && req.body !== null && typeof req.body === 'object' && Object.keys(req.body as object).length > 0;
}

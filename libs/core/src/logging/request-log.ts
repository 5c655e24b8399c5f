import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { requestContext } from '../http/request-context';
import { redactSecrets } from './redact-secrets';
import { requestIdFor } from './request-id';

/** Request headers that carry a credential: logged as `[redacted]`. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key']);

/** Probed often by orchestrators; a line each would drown the log. */
const UNLOGGED_PATHS = new Set(['/healthz']);

type LoggedRequest = IncomingMessage & { originalUrl?: string };

/**
 * At debug, every header (credentials redacted); above it, only which client sent the request: a
 * request's dozen headers were a fair share of what its line cost.
 */
function headersForLog(req: LoggedRequest, all: boolean): Record<string, unknown> {
  if (!all) return { 'user-agent': req.headers['user-agent'] };
  const headers: Record<string, unknown> = {};
  for (const name in req.headers) headers[name] = CREDENTIAL_HEADERS.has(name) ? '[redacted]' : req.headers[name];
  return headers;
}

function requestForLog(req: LoggedRequest, id: string, allHeaders: boolean): Record<string, unknown> {
  return {
    id,
    method: req.method,
    // A token pasted into a URL (a path, a query) is a client's mistake the log should not keep.
    url: redactSecrets(req.originalUrl ?? req.url ?? ''),
    headers: headersForLog(req, allHeaders),
    remoteAddress: req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * One line per request when its response ends: `request completed` (info, or warn for a 4xx) or
 * `request errored` (error, for a 5xx), with the request (its headers at debug, credentials
 * redacted), the status and the time taken. Nothing is built for a request until then, and nothing at all when the level
 * would drop the line. Called for each request before routing; returns at once.
 */
export function requestLog(root: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  // The line is built here from known fields, credentials already replaced and tokens cut out of
  // the URL: the path redaction every other line goes through (a `token` field, at the top or one
  // level down, which means copying each nested object) has nothing to find in it.
  const logger = root.child({}, { redact: [] });
  return (req, res) => {
    const path = (req as LoggedRequest).originalUrl ?? req.url ?? '';
    if (UNLOGGED_PATHS.has(path.split('?')[0])) return;
    const started = performance.now();
    const id = requestIdFor(req, res);
    // 'close' comes once a response is done, whether it finished or its client went away.
    res.once('close', () => {
      // Summed up in one line a minute with the others like it.
      if (requestContext(req).summarised) return;
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const fields = {
        req: requestForLog(req as LoggedRequest, id, logger.isLevelEnabled('debug')),
        res: { statusCode: status },
        responseTime: Math.round(performance.now() - started),
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      logger[level](fields, status >= 500 ? 'request errored' : 'request completed');
    });
  };
}

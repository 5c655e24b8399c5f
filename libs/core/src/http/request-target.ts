import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../errors/http-errors';

export const NOT_ORIGIN_FORM = 'the request target must be a path ("/…", origin-form), not a URL, a host and port, or "*"';

/**
 * The refusal for a request whose target is not a path: absolute-form (`GET http://host/…`, what a
 * proxy is sent), authority-form (`host:port`) or asterisk-form (`*`). Express routes an
 * absolute-form target by its path, so anything reading the URL afterwards would read a host the
 * client chose; this server is no proxy and takes none of them. Undefined for a path.
 */
export function notOriginForm(req: IncomingMessage): InvalidRequestError | undefined {
  return req.url !== undefined && req.url.charCodeAt(0) === 0x2f ? undefined : new InvalidRequestError(NOT_ORIGIN_FORM);
}

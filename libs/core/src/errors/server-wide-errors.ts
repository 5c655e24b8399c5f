import { ERROR_CODES, ErrorCode } from './error-codes';

/**
 * Errors any route may answer besides its own, listed once in the OpenAPI document's description
 * rather than on every operation: what the HTTP server, the JSON body parser and the error filter
 * answer before or around a route.
 */
export const SERVER_WIDE_ERRORS: readonly (readonly [ErrorCode, string])[] = [
  ['invalid_json', 'a JSON body that does not parse, nests deeper than 64, repeats a key in one object, or has a `__proto__`, `constructor` or `prototype` key'],
  ['not_found', 'no such route'],
  ['request_timeout', 'the headers did not arrive within 20 s, or the whole request within 300 s'],
  ['payload_too_large', 'a JSON body over 1 MiB'],
  ['headers_too_large', 'a header block past 16 KiB'],
  ['internal_error', 'anything unforeseen; the details are only in the server log'],
];

/** The list above as Markdown lines, `- \`status\` \`code\`: why`, ordered by status. */
export function serverWideErrorLines(): string[] {
  return [...SERVER_WIDE_ERRORS]
    .sort(([a], [b]) => ERROR_CODES[a] - ERROR_CODES[b])
    .map(([code, why]) => `- \`${ERROR_CODES[code]}\` \`${code}\`: ${why}`);
}

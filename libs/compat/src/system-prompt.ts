import { InvalidRequestError, MAX_ARGV_TEXT_BYTES } from '@clawdforge/core';
import { invalidParam } from './compat-errors';

/** System texts joined into the one system prompt the CLI takes (in argv: no NUL, bounded in bytes); none when there are none. */
export function systemPrompt(texts: string[], param: string): string | undefined {
  if (texts.length === 0) return undefined;
  const joined = texts.join('\n\n');
  if (joined.includes('\0')) throw invalidParam(param, 'must not contain NUL characters in system text');
  if (Buffer.byteLength(joined, 'utf8') > MAX_ARGV_TEXT_BYTES) {
    throw new InvalidRequestError(`${param}: the system text must be at most ${MAX_ARGV_TEXT_BYTES} bytes (UTF-8) in all`, param, 'context_length_exceeded');
  }
  return joined;
}

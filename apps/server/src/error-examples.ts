import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_CODES, ERROR_EXAMPLES, ErrorCode } from '@clawdforge/core';

type Answer = { description?: string; content?: Record<string, { schema?: { $ref?: string }; examples?: Record<string, unknown> }> };

/**
 * Gives each error answer of the document one example body per code its description names (the
 * codes of that status), so Swagger UI shows `queue_full`'s body under 429 rather than one generic
 * error under every status. The descriptions stay the one place a route's codes are written.
 */
export function addErrorExamples(document: OpenAPIObject): OpenAPIObject {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as { responses?: Record<string, Answer> }[]) {
      for (const [status, answer] of Object.entries(operation.responses ?? {})) {
        const json = answer.content?.['application/json'];
        if (Number(status) < 400 || !json?.schema?.$ref?.endsWith('/ErrorBodyDto')) continue;
        const codes = [...(answer.description ?? '').matchAll(/`([a-z_]+)`/g)]
          .map((match) => match[1] as ErrorCode)
          .filter((code, i, all) => all.indexOf(code) === i && code in ERROR_EXAMPLES && ERROR_CODES[code] === Number(status));
        if (codes.length === 0) continue;
        json.examples = Object.fromEntries(
          codes.map((code) => [code, { summary: code, value: { ok: false, error: { code, ...ERROR_EXAMPLES[code as keyof typeof ERROR_EXAMPLES] } } }]),
        );
      }
    }
  }
  return document;
}

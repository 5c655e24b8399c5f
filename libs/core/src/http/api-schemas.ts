import { ApiProperty, type SchemaObject } from '@nestjs/swagger';

/**
 * `ok: true` of every success body, as the literal it is: typed clients generated from the document
 * (and the SDK's drift check) then see `true`, not any boolean.
 */
export const ApiOkTrue = () => ApiProperty({ type: Boolean, enum: [true], example: true });

/** A JSON object with any members (an ACP message, a JSON Schema): without it the document says an empty object. */
export const JSON_OBJECT_SCHEMA = { type: 'object' as const, additionalProperties: true };

/** Any JSON value, null included: OpenAPI 3.0 has no `any` type, so each kind is listed. */
export const ANY_JSON_VALUE_SCHEMA = {
  oneOf: [JSON_OBJECT_SCHEMA, { type: 'array', items: {} }, { type: 'string' }, { type: 'number' }, { type: 'boolean' }] satisfies SchemaObject[],
  nullable: true,
};

import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/**
 * Linux limits one argument to 128 KiB (MAX_ARG_STRLEN) and no argument may hold a NUL byte.
 * Text that travels in a CLI's argv (a system prompt, a JSON schema) stays under half of that,
 * counted in UTF-8 bytes, not characters: 60 000 CJK characters are 180 000 bytes.
 */
export const MAX_ARGV_TEXT_BYTES = 64 * 1024;

/** A string that can go into argv: at most `maxBytes` UTF-8 bytes and no NUL. */
export function IsArgvText(maxBytes = MAX_ARGV_TEXT_BYTES, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isArgvText',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !value.includes('\0') && Buffer.byteLength(value, 'utf8') <= maxBytes,
        defaultMessage: (args: ValidationArguments) =>
          typeof args.value === 'string' && args.value.includes('\0')
            ? `${args.property} must not contain NUL characters`
            : `${args.property} must be a string of at most ${maxBytes} bytes (UTF-8)`,
      },
    });
}

/** Bytes of `value` as compact JSON, for objects that travel in argv. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

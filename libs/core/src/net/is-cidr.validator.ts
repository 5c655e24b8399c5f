import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { parseCidr } from './cidr-list';

/** An IPv4/IPv6 address or CIDR range; the message quotes the offending value. */
export function IsCidr(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCidr',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length <= 64 && parseCidr(value) !== null,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} has ${JSON.stringify(args.value).slice(0, 80)}, which is not an IP address or CIDR range`,
      },
    });
}

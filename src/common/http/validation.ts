import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, TetherError } from '../problem/tether-error';

/** Flattens class-validator's tree into `auth.roleArn`-style paths with one message each. */
export function fieldErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: humanise(message, error.property) }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

function humanise(message: string, property: string): string {
  if (message === `property ${property} should not exist`) return 'is not a known field; remove it';
  // class-validator starts messages with the property name; the field is already named.
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}

/**
 * The global pipe: unknown fields are refused rather than silently dropped, so a typo never
 * leaves a setting unset without the caller knowing.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = fieldErrors(errors);
      const detail = fields.map((f) => `${f.field}: ${f.message}`).join('; ') || 'The request body is invalid.';
      return new TetherError('invalid-request', detail, { errors: fields });
    },
  });
}

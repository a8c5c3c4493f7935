import { ValidateIf } from 'class-validator';

/**
 * The field may be left out. Unlike class-validator's IsOptional, `null` is not taken for absent:
 * it goes through the field's own checks and is refused naming the field, so no rule written for
 * "given or undefined" ever sees a null it did not expect.
 */
export function Optional(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

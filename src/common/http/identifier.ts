/** Names of connections, secrets and tokens: SQL-style identifiers, so engines can use them unquoted. */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
export const IDENTIFIER_MESSAGE = 'must be an identifier: a letter or _, then letters, digits or _, at most 63 characters';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path `:id` accepts an id or a name; names can never look like a uuid (they have no '-'). */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Whether a path `:id` can name anything at all; anything else is a 404 without a query. */
export function isIdOrName(value: string): boolean {
  return isUuid(value) || IDENTIFIER_PATTERN.test(value);
}

/** Injection token of the root pino logger. */
export const LOGGER = Symbol('LOGGER');

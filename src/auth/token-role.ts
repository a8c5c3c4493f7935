/** What a token may do. Order matters nowhere: rights are listed per route. */
export const TOKEN_ROLES = ['admin', 'editor', 'viewer', 'service'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

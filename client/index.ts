/**
 * A typed Tether client for consoles and services: the types are generated from
 * openapi/openapi.json (`npm run client`), the transport is openapi-fetch.
 *
 *   const tether = createTetherClient('http://localhost:3000', token);
 *   const { data, error } = await tether.POST('/connections', { body: { name, provider, region, auth } });
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
export type TetherClient = Client<paths>;
export type Schemas = components['schemas'];

export function createTetherClient(baseUrl: string, token: string, fetchImpl: typeof fetch = fetch): TetherClient {
  return createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${token}` }, fetch: fetchImpl });
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderOpenApi } from './render-openapi';

describe('openapi/openapi.json', () => {
  it('is what the code generates (run `npm run openapi` after changing the API)', async () => {
    const checkedIn = readFileSync(resolve(__dirname, '../../openapi/openapi.json'), 'utf8');
    const generated = await renderOpenApi();
    expect(JSON.parse(checkedIn)).toEqual(JSON.parse(generated));
    expect(checkedIn).toBe(generated);
  });

  it('declares problem+json answers and the paths of the contract', async () => {
    const document = JSON.parse(await renderOpenApi());
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/secrets', '/secrets/{id}', '/secrets/{id}/value', '/tokens', '/tokens/{id}', '/workspaces', '/healthz', '/readyz']));
    expect(document.paths['/secrets'].post.responses['400'].content).toHaveProperty(['application/problem+json']);
  });
});

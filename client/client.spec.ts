import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('client/schema.d.ts', () => {
  it('is what openapi-typescript generates from openapi/openapi.json (run `npm run openapi`)', () => {
    const root = resolve(__dirname, '..');
    const out = join(mkdtempSync(join(tmpdir(), 'tether-client-')), 'schema.d.ts');
    execFileSync(process.execPath, [resolve(root, 'node_modules/openapi-typescript/bin/cli.js'), resolve(root, 'openapi/openapi.json'), '--default-non-nullable', 'false', '-o', out], { stdio: 'pipe' });
    expect(readFileSync(resolve(root, 'client/schema.d.ts'), 'utf8')).toBe(readFileSync(out, 'utf8'));
  });
});

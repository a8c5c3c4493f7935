import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderOpenApi } from '../openapi/render-openapi';

export const OPENAPI_PATH = resolve(__dirname, '../../../openapi/openapi.json');

/** `npm run openapi`: writes openapi/openapi.json from the code. */
async function main(): Promise<void> {
  mkdirSync(dirname(OPENAPI_PATH), { recursive: true });
  writeFileSync(OPENAPI_PATH, await renderOpenApi());
  process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { createApp } from '../app.factory';
import { loadConfig } from '../config/load-config';
import { createLogger } from '../common/logging/logger';
import { buildOpenApiDocument, serialiseOpenApi } from './document';

/**
 * The OpenAPI document as checked in: built from a preview of the app (no database, no port)
 * under a fixed configuration, so it depends on the code alone.
 */
export async function renderOpenApi(): Promise<string> {
  const app = await createApp(loadConfig({}), createLogger('silent'), { preview: true });
  try {
    return serialiseOpenApi(buildOpenApiDocument(app));
  } finally {
    await app.close();
  }
}

import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document, built from the controllers and DTOs: the code is its source. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Tether')
    .setDescription(
      'Control plane for reaching into customers\' clouds: connections guarded by External IDs, trust policies, validation, short-lived credentials and function invocation on AWS, Alibaba Cloud and Tencent Cloud. Errors are application/problem+json (RFC 9457).',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token (tth_…) or the bootstrap token' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  return nameWildcards(document);
}

/**
 * Nest documents a Fastify wildcard route (`code/*`) as `{path}`; Tether's one wildcard is the
 * code package key, declared with `@ApiParam({ name: 'key' })`, so the path says `{key}` too.
 */
function nameWildcards(document: OpenAPIObject): OpenAPIObject {
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) paths[path.replace(/\/code\/\{path\}$/, '/code/{key}')] = item;
  return { ...document, paths };
}

/** Stable JSON for the checked-in file: keys in the order Nest emits them, two-space indent. */
export function serialiseOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

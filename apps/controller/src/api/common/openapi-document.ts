import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ApiErrorSchema } from '@fleetqry/contracts';

import { CONTROLLER_VERSION } from '../../version.js';
import { PUBLIC_EXTENSION } from './endpoint.decorator.js';
import { openApiSchema } from './zod-schema.js';

/**
 * The controller's OpenAPI document (served at /docs-json): routes as their decorators describe them, plus
 * what holds for all of them: the opaque bearer scheme, the shared `ApiError` component, `security: []` on
 * public routes, and operation ids named after the route (`Controller_method`).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('fleetqry controller')
      .setDescription(
        'Compliance sweeps of whole fleets. Authenticate with `Authorization: Bearer <API token>`; roles: ' +
          'viewer (read results) < operator (inventories, scans) < admin (credentials, policies, tokens, scope). ' +
          'Every error has the `ApiError` shape, with the request id of the log lines (also in `X-Request-Id`).',
      )
      .setVersion(CONTROLLER_VERSION)
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .addServer('/', 'this controller')
      // API tokens are opaque (`fq_` + 256 random bits, stored hashed), not JWTs.
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'an API token (fq_…)' },
        'bearer',
      )
      .build(),
  );
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ApiError: openApiSchema(ApiErrorSchema, 'output') },
  };
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as Record<string, unknown>[]) {
      if (typeof op !== 'object' || op === null || !('responses' in op)) continue;
      if (op[PUBLIC_EXTENSION]) {
        delete op[PUBLIC_EXTENSION];
        op['security'] = [];
      }
    }
  }
  return document;
}

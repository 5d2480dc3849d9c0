import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiOperation, ApiResponse } from '@nestjs/swagger';

/** Error statuses the API answers with, all in the one `ApiError` shape. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 503 | 504;

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'invalid input: `issues` names each field at fault',
  401: 'missing, unknown or revoked API token',
  403: 'the token’s role is too low for this route',
  404: 'no such resource',
  409: 'conflicts with the current state (a name already taken, a run already finished…)',
  413: 'request body too large',
  422: 'understood but could not be carried out (the worker reported why)',
  429: 'too many requests',
  503: 'a dependency (Redis, Postgres) is unavailable; retry later',
  504: 'no worker answered in time',
};

/** The `ApiError` component (contracts `ApiErrorSchema`), registered once by `finalizeOpenApi`. */
const API_ERROR_REF = '#/components/schemas/ApiError';

/** Marks a public operation; `finalizeOpenApi` turns it into `security: []` (no token needed). */
export const PUBLIC_EXTENSION = 'x-fleetqry-public';

export function errorResponses(...statuses: ErrorStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERROR_DESCRIPTIONS[status],
        content: { 'application/json': { schema: { $ref: API_ERROR_REF } } },
      }),
    ),
  );
}

/**
 * The OpenAPI side of one route, in one place: its summary, its security (the bearer token with its 401,
 * 403 and 429, or `public: true`) and the errors it can answer besides those. Input decorators (`@ZodBody`,
 * `@ZodQuery`, `@UuidParam`) add the 400 (and 413 for bodies) themselves; success schemas come from
 * `@ZodResponse`. `redocly lint` in the tests fails any route without a summary, security or error responses.
 */
export function Endpoint(
  summary: string,
  options: { errors?: ErrorStatus[]; public?: boolean; noContent?: boolean; description?: string } = {},
): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary, ...(options.description ? { description: options.description } : {}) }),
    ...(options.noContent ? [ApiResponse({ status: 204, description: 'done; no content' })] : []),
    ...(options.public
      ? [ApiExtension(PUBLIC_EXTENSION, true)]
      : [ApiBearerAuth('bearer'), errorResponses(401, 403, 429)]),
    errorResponses(...(options.errors ?? [])),
  );
}

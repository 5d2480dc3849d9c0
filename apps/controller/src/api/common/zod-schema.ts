import type { ApiBodyOptions } from '@nestjs/swagger';
import { formatIssuePath, type ApiIssue } from '@fleetqry/contracts';
import { z } from 'zod';

/**
 * The OpenAPI schema of a zod schema, from zod itself (`z.toJSONSchema`, OpenAPI 3.0 dialect), so the
 * document and the runtime validation cannot disagree. Requests are described as inputs (defaults optional),
 * responses as outputs.
 */
type SchemaObject = NonNullable<Extract<ApiBodyOptions, { schema?: unknown }>['schema']> &
  Record<string, unknown>;

export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): SchemaObject {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    // Preprocessors (list query params) and transforms have no JSON Schema; describe them as their input.
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete json['$schema'];
  return json as SchemaObject;
}

export function zodIssues(error: z.ZodError, root: string): ApiIssue[] {
  return error.issues.map((i) => ({ path: formatIssuePath(i.path, root), message: i.message }));
}

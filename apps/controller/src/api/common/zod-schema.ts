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
  return openApiFixups(json) as SchemaObject;
}

/**
 * Two spots where zod's OpenAPI 3.0 output is not valid OpenAPI: `nullable` without a `type` (an unknown
 * value; it admits null anyway) and `required` keys of a record over an enum with no `properties` for them.
 */
function openApiFixups(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApiFixups);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = openApiFixups(v);
  if (out['nullable'] === true && out['type'] === undefined && out['$ref'] === undefined)
    delete out['nullable'];
  const required = out['required'];
  const values = out['additionalProperties'];
  if (Array.isArray(required) && out['properties'] === undefined && typeof values === 'object' && values) {
    out['properties'] = Object.fromEntries(required.map((key: string) => [key, values]));
    delete out['additionalProperties'];
  }
  return out;
}

export function zodIssues(error: z.ZodError, root: string): ApiIssue[] {
  return error.issues.map((i) => ({ path: formatIssuePath(i.path, root), message: i.message }));
}

import { z } from 'zod';

/**
 * Shapes shared by every API resource. Request schemas are strict (an unknown field is a 400 naming it, not
 * silently dropped); response schemas document what the API returns and are what the OpenAPI document shows.
 */
/** Query strings arrive as text: limit/offset are coerced, and bounded so a list cannot be unbounded. */
export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

/** A repeated (`?tag=a&tag=b`) or comma-separated (`?tag=a,b`) query parameter, as a list. */
export function listParam<T extends z.ZodType<string>>(item: T) {
  return z.preprocess(
    (v) =>
      v === undefined
        ? undefined
        : (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).filter((s) => s !== ''),
    z.array(item).min(1),
  );
}

const ApiIssueSchema = z.object({ path: z.string(), message: z.string() });
export type ApiIssue = z.infer<typeof ApiIssueSchema>;

/** Every error response. `issues` lists validation problems, each naming its field (`document.targets[0]`). */
export const ApiErrorSchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  issues: z.array(ApiIssueSchema).optional(),
  /** The request's id, as in the controller's log lines and the `X-Request-Id` response header. */
  requestId: z.string().optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** `a.b[0].c`, or `(body)` for the top level. */
export function formatIssuePath(path: readonly PropertyKey[], root = '(body)'): string {
  return (
    path.reduce<string>(
      (out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${String(p)}` : String(p)),
      '',
    ) || root
  );
}

export const TimestampSchema = z.string().describe('ISO 8601 date-time');

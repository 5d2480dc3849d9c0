import { z } from 'zod';

import { TimestampSchema } from './common.js';

/** What a webhook can subscribe to. `violations.*` fire only when the run's set of that status is not empty. */
export const WEBHOOK_EVENTS = [
  'violations.new',
  'violations.resolved',
  'run.completed',
  'run.failed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * `json`: the signed payload below, split into deliveries of bounded size. `slack`: one Slack incoming-webhook
 * message per event (summary and the top findings; Mattermost takes the same shape). `email`: one digest per
 * run through FLEETQRY_SMTP_URL, to the `mailto:` recipients in `url`.
 */
export const WEBHOOK_FORMATS = ['json', 'slack', 'email'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

const MAILTO = /^mailto:[^\s@,]+@[^\s@,]+(,[^\s@,]+@[^\s@,]+)*$/i;

const webhookFields = {
  name: z.string().trim().min(1).max(200),
  /** http(s) URL for json/slack; `mailto:a@x,b@y` for email. Must match FLEETQRY_WEBHOOK_ALLOW (http). */
  url: z.string().trim().min(1).max(2000),
  /** Write-only: the HMAC-SHA256 key of X-Fleetqry-Signature-256. Required for json. */
  secret: z.string().min(16, 'at least 16 characters').max(4096).optional(),
  events: z
    .array(z.enum(WEBHOOK_EVENTS))
    .min(1)
    .refine((e) => new Set(e).size === e.length, 'events must not repeat'),
  format: z.enum(WEBHOOK_FORMATS).default('json'),
  enabled: z.boolean().default(true),
};

type WebhookInput = { url: string; format: WebhookFormat; secret?: string | undefined };

/** Format-dependent rules, each issue naming its field. `keepsSecret`: an update may omit the stored one. */
function checkFormat(w: WebhookInput, ctx: z.RefinementCtx, keepsSecret: boolean): void {
  if (w.format === 'email') {
    if (!MAILTO.test(w.url))
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'email webhooks need mailto:a@x[,b@y]' });
    return;
  }
  let url: URL | undefined;
  try {
    url = new URL(w.url);
  } catch {
    /* reported below */
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an http:// or https:// URL' });
  else if (url.username || url.password)
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'must not carry credentials' });
  if (w.format === 'json' && !w.secret && !keepsSecret)
    ctx.addIssue({
      code: 'custom',
      path: ['secret'],
      message: 'json webhooks are signed: a secret is required',
    });
}

export const WebhookCreateSchema = z
  .strictObject(webhookFields)
  .superRefine((w, ctx) => checkFormat(w, ctx, false));
export type WebhookCreate = z.infer<typeof WebhookCreateSchema>;

/** PUT replaces the webhook; without `secret` the stored one stays. */
export const WebhookUpdateSchema = z
  .strictObject(webhookFields)
  .superRefine((w, ctx) => checkFormat(w, ctx, true));
export type WebhookUpdate = z.infer<typeof WebhookUpdateSchema>;

export const WebhookResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  format: z.enum(WEBHOOK_FORMATS),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  enabled: z.boolean(),
  /** Whether a secret is stored; the secret itself is never returned. */
  hasSecret: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type WebhookView = z.infer<typeof WebhookResponseSchema>;

const WEBHOOK_DELIVERY_STATUSES = ['queued', 'retrying', 'succeeded', 'failed'] as const;

export const WebhookDeliveryResponseSchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  event: z.enum(WEBHOOK_EVENTS),
  runId: z.string().nullable(),
  /** Position of this delivery among the event's deliveries (large sets are split). */
  part: z.number().int(),
  /** Violations this delivery carries. */
  violations: z.number().int(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number().int(),
  /** The receiver's HTTP status (or the SMTP reply code) of the last attempt. */
  responseCode: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: TimestampSchema,
  lastAttemptAt: TimestampSchema.nullable(),
  finishedAt: TimestampSchema.nullable(),
});

export const WebhookDeliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** One violation as a webhook carries it. */
const WebhookViolationSchema = z.object({
  host: z.string(),
  rule: z.string(),
  severity: z.string(),
  status: z.string(),
  proto: z.string().nullable(),
  port: z.number().int().nullable(),
  evidence: z.unknown(),
});
export type WebhookViolation = z.infer<typeof WebhookViolationSchema>;

/**
 * The `json` format's body, signed with `X-Fleetqry-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`
 * (GitHub's convention). `part`/`parts` number the deliveries of one event when its set was split.
 */
export const WebhookPayloadSchema = z.object({
  event: z.enum(WEBHOOK_EVENTS),
  deliveryId: z.string(),
  run: z.object({
    id: z.string(),
    number: z.number().int(),
    scan: z.string().nullable(),
    status: z.string(),
    finishedAt: TimestampSchema.nullable(),
    error: z.string().nullable().optional(),
  }),
  part: z.number().int(),
  parts: z.number().int(),
  violations: z.array(WebhookViolationSchema),
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;

export const WEBHOOK_HEADERS = {
  event: 'X-Fleetqry-Event',
  delivery: 'X-Fleetqry-Delivery',
  signature: 'X-Fleetqry-Signature-256',
} as const;

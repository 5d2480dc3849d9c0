import { EnvConfigError } from '@fleetqry/contracts';
import { z } from 'zod';

import { AllowlistError, DestinationAllowlist } from './destination-allowlist.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EnvSchema = z.object({
  /** CIDRs and host names webhooks may be sent to; empty allows none. */
  FLEETQRY_WEBHOOK_ALLOW: z.string().default(''),
  /** Attempts per delivery, the first included; retries wait BACKOFF_MS × 2^(n-1). */
  FLEETQRY_WEBHOOK_ATTEMPTS: int(1, 50).default(6),
  FLEETQRY_WEBHOOK_BACKOFF_MS: int(0, 3600_000).default(5_000),
  /** One attempt's deadline (connect, send, response head). */
  FLEETQRY_WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** Violations per json delivery: a larger set is split into several deliveries. */
  FLEETQRY_WEBHOOK_BATCH: int(1, 10_000).default(500),
  /** Findings listed in a slack message or an e-mail digest (the counts cover all of them). */
  FLEETQRY_WEBHOOK_TOP: int(1, 100).default(10),
  FLEETQRY_WEBHOOK_CONCURRENCY: int(1, 64).default(4),
  FLEETQRY_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  FLEETQRY_SMTP_FROM: z.string().min(3).default('fleetqry <fleetqry@localhost>'),
  /** The console's base URL, for the links in messages. */
  FLEETQRY_CONSOLE_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export interface WebhooksConfig {
  allow: DestinationAllowlist;
  retry: { attempts: number; backoffMs: number };
  timeoutMs: number;
  batch: number;
  top: number;
  concurrency: number;
  smtp?: { url: string; from: string };
  consoleUrl: string;
}

export const WEBHOOKS_CONFIG = Symbol('fleetqry:webhooks-config');

/** Validated at start; errors name the variable, never print a value (the SMTP URL may hold a password). */
export function loadWebhooksConfig(env: NodeJS.ProcessEnv = process.env): WebhooksConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new EnvConfigError(`invalid webhook configuration: ${issues.join('; ')}`);
  }
  const e = parsed.data;
  let allow: DestinationAllowlist;
  try {
    allow = DestinationAllowlist.parse(e.FLEETQRY_WEBHOOK_ALLOW);
  } catch (error) {
    if (!(error instanceof AllowlistError)) throw error;
    throw new EnvConfigError(`invalid webhook configuration: FLEETQRY_WEBHOOK_ALLOW: ${error.message}`);
  }
  return {
    allow,
    retry: { attempts: e.FLEETQRY_WEBHOOK_ATTEMPTS, backoffMs: e.FLEETQRY_WEBHOOK_BACKOFF_MS },
    timeoutMs: e.FLEETQRY_WEBHOOK_TIMEOUT_MS,
    batch: e.FLEETQRY_WEBHOOK_BATCH,
    top: e.FLEETQRY_WEBHOOK_TOP,
    concurrency: e.FLEETQRY_WEBHOOK_CONCURRENCY,
    ...(e.FLEETQRY_SMTP_URL ? { smtp: { url: e.FLEETQRY_SMTP_URL, from: e.FLEETQRY_SMTP_FROM } } : {}),
    consoleUrl: (e.FLEETQRY_CONSOLE_URL ?? 'http://localhost:3000').replace(/\/+$/, ''),
  };
}

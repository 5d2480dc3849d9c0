import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { UsageError } from './usage-error.js';

/**
 * fleetqry.config.yaml: site defaults every command starts from (flags override). Looked up in
 * $FLEETQRY_CONFIG, then ./fleetqry.config.yaml. Without one, scope is loopback only: a scanner
 * that probes nothing unasked is the safe default.
 */
const CliConfigSchema = z.strictObject({
  scope: z
    .strictObject({
      allow: z.array(z.string()).default(['127.0.0.0/8', '::1/128']),
      deny: z.array(z.string()).default([]),
    })
    .default({ allow: ['127.0.0.0/8', '::1/128'], deny: [] }),
  /** Ports never probed unless named explicitly elsewhere, e.g. a foreign service on this machine. */
  excludePorts: z.string().default(''),
  dnsServers: z.array(z.string()).default([]),
  maxHosts: z.number().int().positive().default(65536),
  serviceGroupsFile: z.string().optional(),
  limits: z
    .strictObject({
      concurrency: z.number().int().positive().optional(),
      perHost: z.number().int().positive().optional(),
      ratePerSecond: z.number().nonnegative().optional(),
    })
    .default({}),
});
export type CliConfig = z.infer<typeof CliConfigSchema> & { source?: string };

function describeIssue(issue: z.core.$ZodIssue): string {
  return `${issue.path.join('.') || '(top level)'}: ${issue.message}`;
}

export function loadCliConfig(explicit?: string): CliConfig {
  const path =
    explicit ??
    process.env.FLEETQRY_CONFIG ??
    (existsSync('fleetqry.config.yaml') ? 'fleetqry.config.yaml' : undefined);
  if (!path) return CliConfigSchema.parse({});
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
  } catch (e) {
    throw new UsageError(`config ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = CliConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(`config ${path}: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  const config: CliConfig = { ...parsed.data, source: resolve(path) };
  return config;
}

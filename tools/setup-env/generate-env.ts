import { randomBytes } from 'node:crypto';

/**
 * Fresh values for every secret the apps validate, each in the format its validator expects:
 * admin token `fq_` + base64url (controller), AES-256-GCM key as 32 bytes base64 (store), worker token and
 * job key >= 32 characters, compose passwords URL-safe (they are placed in DATABASE_URL / REDIS_URL).
 */
export function generateSecrets(): Record<string, string> {
  return {
    FLEETQRY_ADMIN_TOKEN: `fq_${randomBytes(32).toString('base64url')}`,
    FLEETQRY_CREDENTIAL_KEY: randomBytes(32).toString('base64'),
    FLEETQRY_WORKER_TOKEN: randomBytes(32).toString('hex'),
    FLEETQRY_JOB_KEY: randomBytes(32).toString('base64'),
    POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
    REDIS_PASSWORD: randomBytes(24).toString('hex'),
  };
}

/**
 * `.env.example` with each secret line filled in, and the local DATABASE_URL's placeholder password replaced
 * by the generated Postgres password; comments and every other setting kept as documented.
 */
export function fillEnvTemplate(template: string, secrets: Record<string, string>): string {
  const missing = new Set(Object.keys(secrets));
  const lines = template.split('\n').map((line) => {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) return line;
    const [, key, value] = m as unknown as [string, string, string];
    if (key in secrets) {
      missing.delete(key);
      return `${key}=${secrets[key]}`;
    }
    if (key === 'DATABASE_URL' && secrets['POSTGRES_PASSWORD'])
      return `${key}=${value.replace('CHANGE-ME', secrets['POSTGRES_PASSWORD'])}`;
    return line;
  });
  if (missing.size > 0) throw new Error(`.env.example has no line for ${[...missing].join(', ')}`);
  return lines.join('\n');
}

import { randomBytes } from 'node:crypto';

/**
 * Fresh values for every secret the apps validate, each in the format its validator expects:
 * admin token `fq_` + base64url (controller), AES-256-GCM key as 32 bytes base64 (store), worker token and
 * job key >= 32 characters, database and Redis passwords URL-safe (they are placed in URLs as they are).
 */
export interface GeneratedSecrets {
  adminToken: string;
  credentialKey: string;
  workerToken: string;
  jobKey: string;
  postgresPassword: string;
  redisPassword: string;
}

export function generateSecrets(): GeneratedSecrets {
  return {
    adminToken: `fq_${randomBytes(32).toString('base64url')}`,
    credentialKey: randomBytes(32).toString('base64'),
    workerToken: randomBytes(32).toString('hex'),
    jobKey: randomBytes(32).toString('base64'),
    postgresPassword: randomBytes(24).toString('hex'),
    redisPassword: randomBytes(24).toString('hex'),
  };
}

/**
 * `.env.example` with each secret line filled in (for `npm run start:*` on this machine), and the local
 * DATABASE_URL's placeholder password replaced by the generated one; comments and every other setting kept.
 */
export function fillEnvTemplate(template: string, s: GeneratedSecrets): string {
  const values: Record<string, string> = {
    FLEETQRY_ADMIN_TOKEN: s.adminToken,
    FLEETQRY_CREDENTIAL_KEY: s.credentialKey,
    FLEETQRY_WORKER_TOKEN: s.workerToken,
    FLEETQRY_JOB_KEY: s.jobKey,
  };
  const missing = new Set(Object.keys(values));
  const lines = template.split('\n').map((line) => {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) return line;
    const [, key, value] = m as unknown as [string, string, string];
    if (key in values) {
      missing.delete(key);
      return `${key}=${values[key]}`;
    }
    if (key === 'DATABASE_URL') return `${key}=${value.replace('CHANGE-ME', s.postgresPassword)}`;
    return line;
  });
  if (missing.size > 0) throw new Error(`.env.example has no line for ${[...missing].join(', ')}`);
  return lines.join('\n');
}

/**
 * The compose secrets (docker-compose.yml's `secrets:`), file name → content: the same secrets, the URLs
 * pointing at the compose services; the optional ones empty (an empty file leaves the secret unset).
 */
export function composeSecretFiles(s: GeneratedSecrets): Record<string, string> {
  return {
    postgres_password: s.postgresPassword,
    redis_password: s.redisPassword,
    database_url: `postgresql://fleetqry:${s.postgresPassword}@postgres:5432/fleetqry`,
    redis_url: `redis://:${s.redisPassword}@redis:6379`,
    admin_token: s.adminToken,
    credential_key: s.credentialKey,
    worker_token: s.workerToken,
    job_key: s.jobKey,
    job_key_previous: '',
    smtp_url: '',
  };
}

import { createHmac, timingSafeEqual } from 'node:crypto';

import {
  EnvConfigError,
  JOB_KEY_ENV,
  JOB_KEY_PREVIOUS_ENV,
  JOB_SIGNATURE_PREFIX,
  JobKeySchema,
  SignedJobSchema,
  type SignedJob,
} from '@fleetqry/contracts';
import canonicalize from 'canonicalize';

/** The key jobs are signed with, and the previous one, still accepted by workers during a rotation. */
export interface JobKeys {
  current: string;
  previous?: string;
}

/**
 * FLEETQRY_JOB_KEY (required) and FLEETQRY_JOB_KEY_PREVIOUS (optional) from the environment. The error is one
 * line naming the variable, never its value.
 */
export function loadJobKeys(env: NodeJS.ProcessEnv): JobKeys {
  const read = (name: string, required: boolean): string | undefined => {
    const value = env[name];
    if (value === undefined || value === '') {
      if (required) throw new EnvConfigError(`${name} is not set (the key probe jobs are signed with)`);
      return undefined;
    }
    const parsed = JobKeySchema.safeParse(value);
    if (!parsed.success) throw new EnvConfigError(`${name}: ${parsed.error.issues[0]!.message}`);
    return parsed.data;
  };
  const current = read(JOB_KEY_ENV, true)!;
  const previous = read(JOB_KEY_PREVIOUS_ENV, false);
  return previous && previous !== current ? { current, previous } : { current };
}

/** The MAC binds the job's name too, so a signature cannot be replayed as another kind of job. */
function mac(key: string, name: string, job: unknown): Buffer {
  const text = canonicalize(job);
  if (text === undefined) throw new TypeError('a job must be JSON data');
  return createHmac('sha256', key).update(`${name}\n`).update(text).digest();
}

export function signJob<T>(name: string, job: T, keys: JobKeys): SignedJob<T> {
  return { job, sig: `${JOB_SIGNATURE_PREFIX}${mac(keys.current, name, job).toString('base64url')}` };
}

export type JobVerdict =
  { ok: true; job: unknown } | { ok: false; reason: 'unsigned' | 'bad-signature'; message: string };

/**
 * Checks a job read from Redis before anything in it is used: the envelope's shape, then the MAC under the
 * current key and the previous one (constant-time comparisons). The job inside is still unvalidated data.
 */
export function verifySignedJob(name: string, data: unknown, keys: JobKeys): JobVerdict {
  const envelope = SignedJobSchema.safeParse(data);
  if (!envelope.success)
    return { ok: false, reason: 'unsigned', message: 'the job is not a signed envelope' };
  const given = Buffer.from(envelope.data.sig.slice(JOB_SIGNATURE_PREFIX.length), 'base64url');
  const { job } = envelope.data;
  let valid = false;
  for (const key of [keys.current, keys.previous]) {
    if (key === undefined) continue;
    const expected = mac(key, name, job);
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
  }
  return valid
    ? { ok: true, job }
    : { ok: false, reason: 'bad-signature', message: 'the job signature does not match the job key' };
}

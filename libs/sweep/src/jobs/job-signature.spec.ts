import { EnvConfigError } from '@fleetqry/contracts';

import { loadJobKeys, signJob, verifySignedJob } from './job-signature.js';

const KEY = 'k'.repeat(32);
const OLD = 'o'.repeat(32);
const job = {
  runId: 'r',
  chunkIndex: 3,
  targets: [{ host: 'a', address: '127.0.0.1' }],
  nested: { b: 1, a: 2 },
};

describe('probe job signatures', () => {
  it('verifies what the controller signed, whatever the key order after a trip through Redis', () => {
    const signed = signJob('probe-chunk', job, { current: KEY });
    expect(signed.sig).toMatch(/^hmac-sha256:[A-Za-z0-9_-]{43}$/);
    // Keys in another order at every level, as another JSON encoder could write them.
    const reordered = JSON.parse(
      `{"sig":${JSON.stringify(signed.sig)},"job":{"nested":{"a":2,"b":1},"targets":[{"address":"127.0.0.1","host":"a"}],"chunkIndex":3,"runId":"r"}}`,
    ) as unknown;
    expect(verifySignedJob('probe-chunk', reordered, { current: KEY })).toEqual({ ok: true, job });
  });

  it('refuses an unsigned job, a changed job, another key, and another job name', () => {
    const signed = signJob('probe-chunk', job, { current: KEY });
    expect(verifySignedJob('probe-chunk', job, { current: KEY })).toMatchObject({
      ok: false,
      reason: 'unsigned',
    });
    expect(verifySignedJob('probe-chunk', { job, sig: 'hmac-sha256:abc' }, { current: KEY })).toMatchObject({
      ok: false,
      reason: 'unsigned',
    });
    const changed = { ...signed, job: { ...job, targets: [{ host: 'a', address: '127.0.0.2' }] } };
    expect(verifySignedJob('probe-chunk', changed, { current: KEY })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifySignedJob('probe-chunk', signed, { current: OLD })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifySignedJob('result-batch', signed, { current: KEY })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('accepts jobs signed with the previous key during a rotation', () => {
    const old = signJob('probe-chunk', job, { current: OLD });
    expect(verifySignedJob('probe-chunk', old, { current: KEY, previous: OLD }).ok).toBe(true);
    expect(verifySignedJob('probe-chunk', old, { current: KEY }).ok).toBe(false);
  });

  it('loads the keys from the environment, naming the variable and never its value', () => {
    expect(loadJobKeys({ FLEETQRY_JOB_KEY: KEY, FLEETQRY_JOB_KEY_PREVIOUS: OLD })).toEqual({
      current: KEY,
      previous: OLD,
    });
    expect(loadJobKeys({ FLEETQRY_JOB_KEY: KEY, FLEETQRY_JOB_KEY_PREVIOUS: '' })).toEqual({ current: KEY });
    expect(() => loadJobKeys({})).toThrow(EnvConfigError);
    expect(() => loadJobKeys({})).toThrow(/^FLEETQRY_JOB_KEY is not set/);
    expect(() => loadJobKeys({ FLEETQRY_JOB_KEY: KEY, FLEETQRY_JOB_KEY_PREVIOUS: 'tiny-old-key' })).toThrow(
      /^FLEETQRY_JOB_KEY_PREVIOUS: must be at least 32 characters/,
    );
    expect(() => loadJobKeys({ FLEETQRY_JOB_KEY: 'tiny-key' })).not.toThrow(/tiny-key/);
  });
});

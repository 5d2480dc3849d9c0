import { TargetResolutionError } from './errors.js';
import { resolveTargets, type TargetOutcome } from './resolve.js';
import type { FamilyChoice, ResolvedAddress, TargetResolver } from './resolver.js';
import { SystemTargetResolver } from './resolver.js';
import { parseTarget, parseTargets } from './spec.js';

/** An in-memory resolver: no network at all. */
class FakeResolver implements TargetResolver {
  forward: string[] = [];
  reverseCalls: string[] = [];
  constructor(
    private readonly names: Record<string, ResolvedAddress[]>,
    private readonly ptr: Record<string, string[] | Error> = {},
  ) {}
  async resolve(name: string, family: FamilyChoice): Promise<ResolvedAddress[]> {
    this.forward.push(name);
    const found = (this.names[name] ?? []).filter((a) => family === 'any' || a.family === family);
    if (found.length === 0) throw new TargetResolutionError(name, 'no such name', 'ENOTFOUND');
    return found;
  }
  async reverse(address: string): Promise<string[]> {
    this.reverseCalls.push(address);
    const r = this.ptr[address];
    if (r instanceof Error) throw r;
    return r ?? [];
  }
}

async function collect(it: AsyncIterable<TargetOutcome>): Promise<TargetOutcome[]> {
  const out: TargetOutcome[] = [];
  for await (const o of it) out.push(o);
  return out;
}

const resolver = () =>
  new FakeResolver(
    {
      'host1.lab.test': [
        { address: '127.0.0.5', family: 4 },
        { address: '::1', family: 6 },
      ],
      'v6only.lab.test': [{ address: '::1', family: 6 }],
    },
    { '127.0.0.5': ['host1.lab.test'], '127.0.0.6': new Error('SERVFAIL') },
  );

describe('resolveTargets', () => {
  it('forward-resolves names (first address, IPv4 preferred) and keeps the name as host', async () => {
    const out = await collect(resolveTargets([parseTarget('host1.lab.test')], { resolver: resolver() }));
    expect(out).toEqual([
      {
        ok: true,
        target: { host: 'host1.lab.test', address: '127.0.0.5', family: 4, given: 'host1.lab.test' },
      },
    ]);
  });

  it('honours the family option', async () => {
    const out = await collect(
      resolveTargets([parseTarget('host1.lab.test')], { resolver: resolver(), family: 6 }),
    );
    expect(out[0]).toMatchObject({ ok: true, target: { address: '::1', family: 6 } });
  });

  it('reverse-resolves literals to the PTR name, or keeps the address', async () => {
    const r = resolver();
    const out = await collect(
      resolveTargets(parseTargets(['127.0.0.5', '127.0.0.7', '127.0.0.6']), { resolver: r }),
    );
    expect(out.map((o) => o.ok && [o.target.host, o.target.reverseLookup])).toEqual([
      ['host1.lab.test', 'resolved'],
      ['127.0.0.7', 'not-found'],
      ['127.0.0.6', 'failed'],
    ]);
    expect(r.reverseCalls).toEqual(['127.0.0.5', '127.0.0.7', '127.0.0.6']);
  });

  it('-nr: no PTR lookups, host is the address', async () => {
    const r = resolver();
    const out = await collect(resolveTargets([parseTarget('127.0.0.5')], { resolver: r, noReverse: true }));
    expect(out).toEqual([
      { ok: true, target: { host: '127.0.0.5', address: '127.0.0.5', family: 4, given: '127.0.0.5' } },
    ]);
    expect(r.reverseCalls).toEqual([]);
  });

  it('reports an unresolvable name per target and carries on', async () => {
    const out = await collect(
      resolveTargets(parseTargets(['nope.lab.test', 'v6only.lab.test', '127.0.0.5']), {
        resolver: resolver(),
        family: 4,
        noReverse: true,
      }),
    );
    expect(out.map((o) => o.ok)).toEqual([false, false, true]);
    const first = out[0] as Extract<TargetOutcome, { ok: false }>;
    expect(first.given).toBe('nope.lab.test');
    expect(first.error).toBeInstanceOf(TargetResolutionError);
    expect(first.error.message).toBe('cannot resolve "nope.lab.test": no such name');
  });

  it('keeps input order with concurrency and pulls only as consumed', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const slow: TargetResolver = {
      resolve: async () => [],
      reverse: async (address) => {
        calls++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Later addresses answer sooner, to prove ordering does not follow completion.
        await new Promise((r) => setTimeout(r, 10 - (Number(address.split('.')[3]) % 10)));
        inFlight--;
        return [`h${address.split('.')[3]}`];
      },
    };
    const stream = resolveTargets([parseTarget('10.0.0.0/8')], { resolver: slow, concurrency: 4 });
    const hosts: string[] = [];
    for await (const o of stream) {
      if (o.ok) hosts.push(o.target.host);
      if (hosts.length === 10) break;
    }
    expect(hosts).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9']);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(calls).toBeLessThanOrEqual(14);
  });
});

describe('SystemTargetResolver (getaddrinfo path, injected)', () => {
  it('uses lookup for names, prefers IPv4 for any, and getnameinfo for PTR', async () => {
    const sys = new SystemTargetResolver(
      {},
      {
        lookup: async (_name, { family }) =>
          [
            { address: '::1', family: 6 },
            { address: '127.0.0.1', family: 4 },
          ].filter((a) => family === 0 || a.family === family),
        lookupService: async (address) => ({
          hostname: address === '127.0.0.1' ? 'localhost' : address,
          service: '0',
        }),
      },
    );
    expect(await sys.resolve('localhost', 'any')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(await sys.reverse('127.0.0.1')).toEqual(['localhost']);
    // getnameinfo's numeric fallback is not a name.
    expect(await sys.reverse('127.0.0.2')).toEqual([]);
  });

  it('times out a hung lookup', async () => {
    const sys = new SystemTargetResolver({ timeoutMs: 20 }, { lookup: () => new Promise(() => {}) });
    await expect(sys.resolve('hang.lab.test', 4)).rejects.toThrow(
      'cannot resolve "hang.lab.test": no answer within 20 ms',
    );
  });

  it('maps ENOTFOUND to a per-name error', async () => {
    const sys = new SystemTargetResolver(
      {},
      {
        lookup: async () =>
          Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
      },
    );
    await expect(sys.resolve('nope.lab.test', 'any')).rejects.toThrow(TargetResolutionError);
  });
});

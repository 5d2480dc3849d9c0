import type { Finding, Observation, RpcEndpoint } from '@fleetqry/contracts';

import { evaluate } from './evaluate.js';
import { PolicyError } from './errors.js';
import { parsePolicyYaml } from './parse.js';
import { AT, obs } from './testdata/fleet.js';

const HEADER = 'apiVersion: fleetqry/v1\nkind: Policy\nmetadata: { name: t, version: 1 }\nrules:\n';
const policyOf = (...rules: string[]) => parsePolicyYaml(HEADER + rules.map((r) => `  - ${r}\n`).join(''));
const keys = (fs: Finding[]) => fs.map((f) => f.key);

const SAMR = '12345778-1234-abcd-ef00-0123456789ac';
const LSA = '12345778-1234-abcd-ef00-0123456789ab';

// As samba's endpoint mapper lists them (see libs/probe/src/protocols/rpc/testdata).
const ep = (
  uuid: string,
  protocol: string,
  binding: string,
  annotation: string,
  extra: Partial<RpcEndpoint> = {},
) => ({ uuid, version: '1.0', annotation, binding, protocol, ...extra });
const ENDPOINTS: RpcEndpoint[] = [
  ep(SAMR, 'ncacn_ip_tcp', 'ncacn_ip_tcp:10.0.0.10[49152]', 'samr', { port: 49152, host: '10.0.0.10' }),
  ep(SAMR, 'ncalrpc', 'ncalrpc:[rpcd_lsad]', 'samr', { pipe: 'rpcd_lsad' }),
  ep(SAMR, 'ncacn_np', String.raw`ncacn_np:[\\pipe\\samr]`, 'samr', { pipe: '\\pipe\\samr' }),
  ep(LSA, 'ncacn_np', String.raw`ncacn_np:[\\pipe\\lsarpc]`, 'lsarpc', { pipe: '\\pipe\\lsarpc' }),
  ep('e1af8308-5d1f-11c9-91a4-08002b14a0fa', 'ncacn_ip_tcp', 'ncacn_ip_tcp:10.0.0.10[135]', 'epmapper', {
    port: 135,
  }),
];

const rpcObs = (address: string, endpoints = ENDPOINTS, complete = true): Observation =>
  obs({
    address,
    proto: 'tcp',
    port: 135,
    service: 'epmap',
    rpc: { endpoints, total: endpoints.length, complete },
  });

describe('rpc-interface-exposed', () => {
  it('one finding per listed interface, with every binding as evidence', () => {
    const policy = policyOf(
      `{ id: rpc.samr, type: rpc-interface-exposed, severity: medium, title: t, uuids: [${SAMR.toUpperCase()}, ${LSA}] }`,
    );
    const fs = evaluate({ observations: [rpcObs('10.0.0.10')], policy, now: AT });
    expect(keys(fs)).toEqual([
      `rpc.samr|10.0.0.10|tcp/135|uuid=${LSA}`,
      `rpc.samr|10.0.0.10|tcp/135|uuid=${SAMR}`,
    ]);
    expect(fs[1]!.evidence).toEqual({
      port: 135,
      proto: 'tcp',
      state: 'LISTENING',
      service: 'epmap',
      uuid: SAMR,
      annotation: 'samr',
      bindings: ['ncacn_ip_tcp:10.0.0.10[49152]', 'ncalrpc:[rpcd_lsad]', String.raw`ncacn_np:[\\pipe\\samr]`],
      endpointCount: 3,
    });
  });

  it('protocols narrow what counts as exposed; nothing matching → no finding', () => {
    const policy = policyOf(
      `{ id: rpc.tcp, type: rpc-interface-exposed, severity: high, title: t, uuids: [${SAMR}, ${LSA}], protocols: [ncacn_ip_tcp] }`,
    );
    const fs = evaluate({ observations: [rpcObs('10.0.0.10')], policy, now: AT });
    expect(keys(fs)).toEqual([`rpc.tcp|10.0.0.10|tcp/135|uuid=${SAMR}`]);
    expect(fs[0]!.evidence).toMatchObject({ bindings: ['ncacn_ip_tcp:10.0.0.10[49152]'], endpointCount: 1 });
  });

  it('annotation pattern alone, or with uuids (both must hold)', () => {
    const alone = policyOf(
      '{ id: rpc.ann, type: rpc-interface-exposed, severity: low, title: t, annotationPattern: "^(SAMR|lsarpc)$", ignoreCase: true }',
    );
    expect(keys(evaluate({ observations: [rpcObs('10.0.0.10')], policy: alone, now: AT }))).toEqual([
      `rpc.ann|10.0.0.10|tcp/135|uuid=${LSA}`,
      `rpc.ann|10.0.0.10|tcp/135|uuid=${SAMR}`,
    ]);
    const both = policyOf(
      `{ id: rpc.both, type: rpc-interface-exposed, severity: low, title: t, uuids: [${SAMR}], annotationPattern: "^lsarpc$" }`,
    );
    expect(evaluate({ observations: [rpcObs('10.0.0.10')], policy: both, now: AT })).toEqual([]);
  });

  it('fires only on observed endpoint maps; an incomplete walk is marked', () => {
    const policy = policyOf(
      `{ id: rpc.samr, type: rpc-interface-exposed, severity: medium, title: t, uuids: [${SAMR}] }`,
    );
    const fs = evaluate({
      observations: [
        rpcObs('10.0.0.11', ENDPOINTS.slice(0, 1), false),
        rpcObs('10.0.0.12', ENDPOINTS.slice(3)),
        obs({ address: '10.0.0.13', proto: 'tcp', port: 135 }), // listening, no query data
        obs({ address: '10.0.0.14', proto: 'tcp', port: 135, state: 'FILTERED', reason: 'timeout' }),
      ],
      policy,
      now: AT,
    });
    expect(keys(fs)).toEqual([`rpc.samr|10.0.0.11|tcp/135|uuid=${SAMR}`]);
    expect(fs[0]!.evidence).toMatchObject({ complete: false, endpointCount: 1 });
  });

  it('refuses a rule with neither uuids nor a pattern, a bad UUID, or an unsafe pattern', () => {
    const bad = (rule: string) => {
      try {
        policyOf(rule);
      } catch (err) {
        return (err as PolicyError).issues;
      }
      throw new Error('accepted');
    };
    expect(bad('{ id: r, type: rpc-interface-exposed, severity: low, title: t }')).toEqual([
      { path: 'rules[0].uuids', message: 'set uuids, annotationPattern or both' },
    ]);
    expect(
      bad('{ id: r, type: rpc-interface-exposed, severity: low, title: t, uuids: [samr] }')[0],
    ).toMatchObject({
      path: 'rules[0].uuids[0]',
    });
    expect(
      bad('{ id: r, type: rpc-interface-exposed, severity: low, title: t, annotationPattern: "(a+)+" }')[0],
    ).toMatchObject({ path: 'rules[0].annotationPattern' });
  });
});

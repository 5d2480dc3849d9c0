import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildResult } from './result.js';
import { decodeV3Report, describeEngineId, encodeDiscoveryRequest, looksLikeV3, toEngineData } from './v3.js';

const load = (name: string): Buffer =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', name));

describe('SNMPv3 engine discovery', () => {
  it('encodes the recorded discovery request', () => {
    expect(
      encodeDiscoveryRequest({ msgId: 0x4242, requestId: 0x4242 }).equals(load('v3-discovery-request.bin')),
    ).toBe(true);
  });

  it('decodes the reports recorded from snmpd', () => {
    const text = decodeV3Report(load('v3-report-snmpd-text-engineid.bin'));
    if (!text.ok) throw new Error(text.error);
    expect(text.report.msgId).toBe(0x4242);
    expect(toEngineData(text.report)).toEqual({
      engineId: '80001f8804666c6565747172792d6c61623434',
      enterprise: 8072,
      format: 'text',
      data: 'fleetqry-lab44',
      boots: 1,
      time: 3,
    });
    const random = decodeV3Report(load('v3-report-snmpd-random-engineid.bin'));
    if (!random.ok) throw new Error(random.error);
    expect(toEngineData(random.report)).toMatchObject({ enterprise: 8072, format: 'net-snmp-random' });
  });

  it.each([
    ['v3-malformed-truncated.bin', /exceeds|truncated/],
    ['v3-malformed-engineid-length.bin', /exceeds|truncated|engine id/],
    ['v3-malformed-pdu-trap.bin', /not a Report/],
    ['v3-malformed-security-model.bin', /not USM/],
  ])('%s → error', (name, why) => {
    const r = decodeV3Report(load(name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('tells v3 datagrams from v1/v2c ones cheaply', () => {
    expect(looksLikeV3(load('v3-report-snmpd-text-engineid.bin'))).toBe(true);
    expect(looksLikeV3(load('response-v2c-public-system.bin'))).toBe(false);
    expect(looksLikeV3(Buffer.from([0x30]))).toBe(false);
  });

  it.each([
    ['80000009' + '01' + '7f000001', { enterprise: 9, format: 'ipv4', data: '127.0.0.1' }],
    ['80000009' + '03' + '00155d010203', { enterprise: 9, format: 'mac', data: '00:15:5d:01:02:03' }],
    ['8000000902' + '20010db8000000000000000000000001', { format: 'ipv6', data: '2001:db8:0:0:0:0:0:1' }],
    ['80000009' + '05' + 'deadbeef', { format: 'octets', data: 'deadbeef' }],
    ['80000009' + '07' + 'aa', { format: 'reserved (7)', data: 'aa' }],
    ['80000009' + '81' + 'aa', { format: 'enterprise-specific (129)' }],
    ['00000009' + '0102030405060708', { enterprise: 9, format: 'legacy', data: '0102030405060708' }],
    ['0001', { engineId: '0001' }],
  ])('engine id %s', (hex, expected) => {
    expect(describeEngineId(Buffer.from(hex, 'hex'))).toMatchObject(expected);
  });
});

describe('engine data never changes the state decided by communities', () => {
  const report = decodeV3Report(load('v3-report-snmpd-text-engineid.bin'));
  if (!report.ok) throw new Error(report.error);
  const requests = [{ requestId: 7, version: 'v2c' as const, community: 'public', packet: Buffer.alloc(0) }];
  it('a rejected community stays rejected (answered: false) with the engine attached', () => {
    const r = buildResult(['public'], requests, {
      end: 'window-closed',
      answers: new Map(),
      malformed: 0,
      unmatched: 0,
      datagrams: 1,
      engine: report.report,
      listenedMs: 975,
    });
    expect(r).toMatchObject({
      status: 'rejected',
      answered: false,
      data: { snmp: { communities: [], engine: { format: 'text', boots: 1 } } },
    });
  });
});

import { NO_NETWORK_EVIDENCE, type Observation } from '@fleetqry/contracts';
import { parse } from 'csv-parse/sync';

import { CsvSink } from './csv-sink.js';
import type { RunSummary } from './sink.js';
import { TextSink } from './text-sink.js';

const CREDENTIAL = 'credential:5b0c1f9e-2d7a-4c53-9a57-1f1a3c7d9e21';
const SECRET = 'Xk9-ops-2026';

function snmpObs(address: string, communities: string[], extra: Partial<Observation> = {}): Observation {
  return {
    host: address,
    address,
    proto: 'udp',
    port: 161,
    service: 'snmp',
    state: communities.length ? 'LISTENING' : 'FILTERED',
    reason: communities.length ? 'protocol-response' : 'no-response',
    observedAt: '2026-12-06T10:00:00.000Z',
    protocol: { name: 'snmp', status: communities.length ? 'success' : 'rejected', durationMs: 3 },
    snmp: {
      communities,
      versions: Object.fromEntries(communities.map((c) => [c, ['v2c' as const]])),
      rejectedCount: 1,
    },
    ...extra,
  };
}

const summary: RunSummary = {
  hosts: 0,
  observations: 0,
  byState: {},
  failures: 0,
  durationMs: 1,
  network: NO_NETWORK_EVIDENCE,
};

function render(sink: (write: (t: string) => void) => CsvSink | TextSink, observations: Observation[]) {
  let out = '';
  const s = sink((t) => (out += t));
  for (const o of observations) {
    s.observation(o);
    s.hostDone({ host: o.host, address: o.address, family: o.address.includes(':') ? 6 : 4 });
  }
  s.end(summary);
  return out;
}

describe('CSV output', () => {
  it('names the accepted communities as JSON has them where that is no secret, masks the rest', () => {
    const csv = render(
      (w) => new CsvSink(w),
      [
        snmpObs('127.30.0.1', ['public', 'private', '']),
        snmpObs('127.30.0.4', [CREDENTIAL]),
        snmpObs('127.30.0.5', [SECRET]),
        snmpObs('127.30.0.6', [], { reason: 'snmpv3-only' }),
        snmpObs('127.30.0.7', [], {
          snmp: {
            communities: [],
            rejectedCount: 1,
            v3Users: [
              {
                user: 'labops',
                level: 'authPriv',
                authProtocol: 'sha',
                privProtocol: 'aes',
                outcome: 'accepted',
              },
              { user: 'guest', level: 'noAuthNoPriv', outcome: 'unknown-user' },
            ],
          },
        }),
      ],
    );
    const rows = parse<Record<string, string>>(csv, { columns: true });
    expect(rows.map((r) => [r.detail, r.reason])).toEqual([
      ['communities accepted: public, private, (empty)', 'protocol-response'],
      [`communities accepted: ${CREDENTIAL}`, 'protocol-response'],
      ['communities accepted: *****', 'protocol-response'],
      ['no community accepted', 'snmpv3-only'],
      ['no community accepted; SNMPv3 users: labops accepted, guest unknown-user', 'no-response'],
    ]);
    expect(csv).not.toContain(SECRET);
  });
});

describe('text output (fleet mode)', () => {
  it('orders hosts by address numerically, IPv4 before IPv6, whatever order they finished in', () => {
    const addresses = ['::10', '127.30.0.10', '2001:db8::1', '127.30.0.9', '::2', '127.30.1.1', '127.4.0.1'];
    const text = render(
      (w) => new TextSink(w, { showAll: true }),
      addresses.map((a) => snmpObs(a, ['public'])),
    );
    expect([...text.matchAll(/^Host (\S+)/gm)].map((m) => m[1])).toEqual([
      '127.4.0.1',
      '127.30.0.9',
      '127.30.0.10',
      '127.30.1.1',
      '::2',
      '::10',
      '2001:db8::1',
    ]);
  });

  it('shows vendor-default communities and credential labels, never a secret', () => {
    const text = render(
      (w) => new TextSink(w, { showAll: true }),
      [snmpObs('127.30.0.1', ['public', SECRET, CREDENTIAL])],
    );
    expect(text).toContain('community name: public (SNMP v2c)');
    expect(text).toContain('community name: ***** (SNMP v2c)');
    expect(text).toContain(`community name: ${CREDENTIAL} (SNMP v2c)`);
    expect(text).not.toContain(SECRET);
  });
});

import { csvField, shownCommunity, type CsvValue, type Observation } from '@fleetqry/contracts';

import type { ResultSink, RunSummary, TargetFailure, Write } from './sink.js';

const COLUMNS = [
  'host',
  'address',
  'proto',
  'port',
  'service',
  'state',
  'reason',
  'rttMs',
  'protocol',
  'status',
  'banner',
  'detail',
  'error',
] as const;

/**
 * The accepted communities by name where a name may be shown: the vendor defaults (`(empty)` for the
 * empty one) and stored credentials' labels, as JSON has them; any other community masked. Then each
 * configured SNMPv3 user (a user name is no secret) with its outcome.
 */
function snmpSummary(snmp: NonNullable<Observation['snmp']>): string {
  const names = snmp.communities.map((c) => (c === '' ? '(empty)' : shownCommunity(c)));
  const parts = [names.length ? `communities accepted: ${names.join(', ')}` : 'no community accepted'];
  const users = (snmp.v3Users ?? []).map((u) => `${u.user} ${u.outcome}`);
  if (users.length) parts.push(`SNMPv3 users: ${users.join(', ')}`);
  return parts.join('; ');
}

/** A summary cell per protocol: what a spreadsheet user needs to filter on. */
function protocolSummary(obs: Observation): string | undefined {
  if (obs.snmp) return snmpSummary(obs.snmp);
  if (obs.ldap) return `rootDSE attributes: ${Object.keys(obs.ldap.rootDSE).length}`;
  if (obs.dns) return `rcode ${obs.dns.rcode}`;
  if (obs.ftp) return `anonymous login ${obs.ftp.anonymousLogin ? 'allowed' : 'refused'}`;
  return obs.protocol?.detail;
}

export class CsvSink implements ResultSink {
  constructor(private readonly write: Write) {
    write(`${COLUMNS.join(',')}\n`);
  }

  private row(values: Partial<Record<(typeof COLUMNS)[number], CsvValue>>): void {
    this.write(`${COLUMNS.map((c) => csvField(values[c])).join(',')}\n`);
  }

  observation(obs: Observation): void {
    this.row({
      host: obs.host,
      address: obs.address,
      proto: obs.proto,
      port: obs.port,
      service: obs.service,
      state: obs.state,
      reason: obs.reason,
      rttMs: obs.rttMs,
      protocol: obs.protocol?.name,
      status: obs.protocol?.status,
      banner: obs.banner,
      detail: protocolSummary(obs),
    });
  }

  hostDone(): void {}

  failure(f: TargetFailure): void {
    this.row({ host: f.host, address: f.address, error: f.error });
  }

  end(_summary: RunSummary): void {}
}

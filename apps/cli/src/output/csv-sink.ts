import { csvField, type CsvValue, type Observation } from '@fleetqry/contracts';

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

/** A summary cell per protocol: what a spreadsheet user needs to filter on. */
function protocolSummary(obs: Observation): string | undefined {
  if (obs.snmp)
    return obs.snmp.communities.length ? `communities accepted: ${obs.snmp.communities.length}` : undefined;
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

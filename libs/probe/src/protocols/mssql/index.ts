/**
 * SQL Server browser (UDP 1434), PortQry-style: CLNT_UCAST_EX asks for every instance; the answer
 * lists server, instance, clustering, version, TCP port and named pipe. Any datagram back proves the
 * browser (LISTENING): a valid SVR_RESP → success, anything else → protocol-error.
 */
import type { Observation } from '@fleetqry/contracts';

import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../plugin.js';
import { printableText } from '../common/printable.js';
import { noReplyResult, udpExchange } from '../common/udp-exchange.js';
import { CLNT_UCAST_EX, parseBrowserResponse } from './browser.js';

export { buildBrowserResponse, parseBrowserResponse } from './browser.js';

type MssqlResult = ProtocolResult & { answered: boolean };

async function query(ctx: ProtocolContext): Promise<MssqlResult> {
  const e = await udpExchange({
    ctx,
    packets: [CLNT_UCAST_EX],
  });
  if (e.kind !== 'reply') return noReplyResult(e, 'SQL Server browser');
  const parsed = parseBrowserResponse(e.bytes);
  if (!parsed.ok)
    return {
      status: 'protocol-error',
      answered: true,
      detail: `reply is not a SQL Server browser response: ${parsed.error}`,
      evidence: printableText(e.bytes.subarray(0, 200)),
    };
  const list = parsed.data.instances;
  const first = list[0]!;
  return {
    status: 'success',
    answered: true,
    detail: `${list.length} SQL Server instance(s)`,
    evidence: printableText(
      `ServerName=${first.serverName} InstanceName=${first.instanceName} Version=${first.version}` +
        (first.tcpPort !== undefined ? ` tcp=${first.tcpPort}` : ''),
      300,
    ),
    data: { mssql: parsed.data },
  };
}

/** PortQry prints the server's response as `key value` lines between two rules. */
function describe(obs: Observation): string[] {
  const m = obs.mssql;
  if (!m) return obs.protocol?.detail ? [`SQL Server browser query: ${obs.protocol.detail}`] : [];
  const lines = ["Server's response:", ''];
  for (const i of m.instances) {
    lines.push(
      `ServerName ${i.serverName}`,
      `InstanceName ${i.instanceName}`,
      `IsClustered ${i.isClustered ? 'Yes' : 'No'}`,
      `Version ${i.version}`,
    );
    if (i.tcpPort !== undefined) lines.push(`tcp ${i.tcpPort}`);
    if (i.namedPipe !== undefined) lines.push(`np ${i.namedPipe}`);
    for (const [k, v] of Object.entries(i.other ?? {})) lines.push(`${k} ${v}`);
    lines.push('');
  }
  lines.push('==============================================================');
  return lines;
}

export const mssqlPlugin: ProtocolPlugin = {
  name: 'mssql',
  ports: { udp: [1434] },
  query,
  describe,
};

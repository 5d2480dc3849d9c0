import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildRequests } from './index.js';
import { runSweep } from './sweep.js';
import { encodeDiscoveryRequest, looksLikeV3 } from './v3.js';

// An agent on 127.41.0.21 that answers SNMPv3 discovery at once (with a report recorded from snmpd)
// and ignores every community, as snmpd does for a wrong one.
const report = readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', 'v3-report-snmpd-text-engineid.bin'),
);

describe('a sweep of an agent that is up but rejects every community', () => {
  it('stops soon after the agent proved alive, having resent every community once', async () => {
    const agent = dgram.createSocket('udp4');
    const seen = new Map<string, number>();
    agent.on('message', (msg, rinfo) => {
      if (looksLikeV3(msg)) agent.send(report, rinfo.port, rinfo.address);
      else seen.set(msg.toString('hex'), (seen.get(msg.toString('hex')) ?? 0) + 1);
    });
    await new Promise<void>((r) => agent.bind(0, '127.41.0.21', () => r()));
    try {
      const requests = buildRequests(['wrong-1', 'wrong-2']);
      // msgId of the recorded report, so it matches our discovery request
      const v3 = { msgId: 0x4242, packet: encodeDiscoveryRequest({ msgId: 0x4242, requestId: 0x4242 }) };
      const started = performance.now();
      // A 20 s window, resent at 8 s (40 %) while unanswered.
      const ctx = {
        address: '127.41.0.21',
        port: agent.address().port,
        timeoutMs: 20_025,
        signal: new AbortController().signal,
      };
      const outcome = await runSweep({ ctx, requests, v3 });
      expect(outcome.end).toBe('window-closed');
      expect(outcome.answers.size).toBe(0);
      expect(outcome.engine).toBeDefined();
      // Each community request went out twice: the first burst and the resend when the agent answered
      // v3; the 8 s resend never came because the sweep ended long before (sanity bound, not a timing test).
      expect([...seen.values()]).toEqual(requests.map(() => 2));
      expect(performance.now() - started).toBeLessThan(8_000);
    } finally {
      agent.close();
    }
  });
});

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';

import { loadGroundTruth, runCli, type HostTruth } from './run-cli.js';

/**
 * PortQry's -sp: every packet of the port test and of the protocol query leaves from the given source
 * port. The test is the peer: it listens on a loopback address of its own (127.13.0.1), notes the
 * source port of every datagram and connection, and relays them to the lab's real daemons (snmpd,
 * OpenSMTPD, slapd) so that the queries get real answers.
 */
const truth = loadGroundTruth();
const find = (what: string, pred: (h: HostTruth) => boolean): HostTruth => {
  const h = truth.hosts.find(pred);
  if (!h) throw new Error(`the lab has no host that ${what}`);
  return h;
};
const agent = find(
  'answers SNMP public',
  (h) => h.snmp?.versions.includes('v2c') === true && 'public' in h.snmp.communities,
);
const smtp = find('runs an SMTP server', (h) => h.openTcp.includes(25));
const ldap = find('runs slapd', (h) => h.openTcp.includes(389));
const HERE = '127.13.0.1';

/** UDP on HERE:port, relayed to target:port; every datagram's source port is noted. */
async function udpRelay(port: number, target: string, sources: number[]): Promise<UdpSocket[]> {
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  let client: { port: number; address: string } | undefined;
  front.on('message', (msg, rinfo) => {
    sources.push(rinfo.port);
    client = rinfo;
    back.send(msg, port, target);
  });
  back.on('message', (msg) => client && front.send(msg, client.port, client.address));
  await new Promise<void>((done) => front.bind(port, HERE, done));
  await new Promise<void>((done) => back.bind(0, '127.0.0.1', done));
  return [front, back];
}

/** TCP on HERE:port, piped to target:port; every connection's source port is noted. */
async function tcpRelay(port: number, target: string, sources: Array<number | undefined>): Promise<Server> {
  const server = createServer((s: Socket) => {
    sources.push(s.remotePort);
    const up = connect(port, target);
    s.pipe(up).pipe(s);
    const end = () => (s.destroy(), up.destroy());
    s.on('error', end);
    up.on('error', end);
    s.on('close', end);
    up.on('close', end);
  });
  await new Promise<void>((done) => server.listen(port, HERE, done));
  return server;
}

/** A port free for both TCP and UDP on this machine, high and never 2024. */
async function freePort(): Promise<number> {
  for (;;) {
    const u = createSocket('udp4');
    await new Promise<void>((done) => u.bind(0, '0.0.0.0', done));
    const port = u.address().port;
    u.close();
    const t = createServer();
    const ok = await new Promise<boolean>((done) => {
      t.once('error', () => done(false));
      t.listen(port, '0.0.0.0', () => done(true));
    });
    if (ok) await new Promise((r) => t.close(r));
    if (ok && port !== 2024) return port;
  }
}

describe('-sp: one source port for the port test and the protocol query', () => {
  it('UDP 161: the unformatted datagram and every SNMP datagram leave from the -sp port', async () => {
    const sources: number[] = [];
    const sockets = await udpRelay(161, agent.address, sources);
    try {
      const sp = await freePort();
      const r = await runCli([
        '-n',
        HERE,
        '-p',
        'udp',
        '-e',
        '161',
        '-cn',
        '!public!',
        '-sp',
        String(sp),
        '-nr',
      ]);
      expect(r.stdout).toContain('Sending SNMP query to UDP port 161...');
      expect(r.stdout).toContain(`sysName: ${agent.snmp!.sysName}`);
      expect(r.stdout).toMatch(/\nUDP port 161 is LISTENING\n/);
      expect(r.stdout).not.toContain('ephemeral');
      // the unformatted probe (one or more sends) and the query: all from sp
      expect(sources.length).toBeGreaterThanOrEqual(2);
      expect(new Set(sources)).toEqual(new Set([sp]));
    } finally {
      sockets.forEach((s) => s.close());
    }
  }, 60_000);

  it('TCP 25 and 389: the port tests and the SMTP and LDAP query connections come from the -sp port', async () => {
    const sources: Array<number | undefined> = [];
    const servers = [await tcpRelay(25, smtp.address, sources), await tcpRelay(389, ldap.address, sources)];
    try {
      const sp = await freePort();
      const r = await runCli(['-n', HERE, '-o', '25,389', '-sp', String(sp), '-nr']);
      expect(r.stdout).toContain('TCP port 25 (smtp service): LISTENING');
      expect(r.stdout).toMatch(/Data returned from port:\n220 /);
      expect(r.stdout).toContain('TCP port 389 (ldap service): LISTENING');
      expect(r.stdout).toContain('LDAP query response:');
      expect(r.code).toBe(0);
      // port test + query per port; a test connection reset before it was accepted may show no peer
      const seen = sources.filter((p) => p !== undefined);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(new Set(seen)).toEqual(new Set([sp]));
    } finally {
      servers.forEach((s) => s.close());
    }
  }, 60_000);

  it("a source port already taken is refused with PortQry's reason, nothing probed", async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((done) => taken.bind(0, '0.0.0.0', done));
    try {
      const r = await runCli([
        '-n',
        HERE,
        '-p',
        'udp',
        '-e',
        '161',
        '-sp',
        String(taken.address().port),
        '-nr',
      ]);
      expect(r.stderr).toMatch(/source port \d+ is already in use/);
      expect(r.code).not.toBe(0);
    } finally {
      taken.close();
    }
  }, 60_000);
});

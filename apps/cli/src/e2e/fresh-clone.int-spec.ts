import { createServer, type Server } from 'node:net';

import { runCli } from './run-cli.js';

/**
 * A user's first PortQry-style command in a fresh clone: the checked-in fleetqry.config.yaml (read from
 * the repository root) names no lab DNS server, so `localhost` resolves through the hosts file whether
 * or not the fleet lab is up. The peer is a listener this test owns on 127.0.0.1.
 */
describe('fleetqry -n localhost in a fresh clone (checked-in config, no lab needed)', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('resolves localhost and reports the port LISTENING', async () => {
    const r = await runCli(['-n', 'localhost', '-e', String(port)]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Attempting to resolve name to IP address...');
    expect(r.stdout).toContain('Name resolved to 127.0.0.1');
    expect(r.stdout).toMatch(new RegExp(`TCP port ${port} \\([^)]*\\): LISTENING\\n`));
    expect(r.code).toBe(0);
  });

  it('reverse-resolves 127.0.0.1 to localhost without -nr', async () => {
    const r = await runCli(['-n', '127.0.0.1', '-e', String(port)]);
    expect(r.stdout).toContain('IP address resolved to localhost');
    expect(r.code).toBe(0);
  });

  it('-q: 0 for LISTENING, and the documented 4 (not 1, NOT LISTENING) for a name that does not resolve', async () => {
    const listening = await runCli(['-n', 'localhost', '-e', String(port), '-q']);
    expect([listening.code, listening.stdout]).toEqual([0, '']);
    // resolved by a DNS server that refuses at once on loopback (127.0.0.1:9 has no listener): no
    // lookup leaves the machine
    const r = await runCli([
      '-n',
      'no-such-host.example.test',
      '-e',
      '80',
      '-q',
      '--dns-server',
      '127.0.0.1:9',
    ]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fleetqry: cannot resolve "no-such-host\.example\.test"/);
  });
});

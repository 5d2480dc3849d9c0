import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { HostViewDetailSchema, type HostViewDetail } from '@fleetqry/contracts';

import { REPO_ROOT } from '../dispatch/testing/distributed-harness.js';
import { running, startProcess, stopProcess } from '../testing/processes.js';
import { runCli } from '../testing/run-cli.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

/**
 * `fleetqry agent` (the built CLI as a process) pushing this machine's real listener table to the real
 * controller: its auth and roles, the contracts' validation, the store. The stored view is read back
 * through the API. Everything on 127.0.0.1. What a controller never does (5xx, redirects, answers that
 * are not host views) is apps/cli's agent-faults.int-spec.
 */
const PUSHED = /^fleetqry agent: pushed (\d+) listeners of (\S+) \(view ([0-9a-f-]{36})\)$/gm;

describe('fleetqry agent against the real controller', () => {
  let app: TestApp;
  let operator: string;
  let viewer: string;
  let listener: Server;
  let tcpPort: number;
  let udp: UdpSocket;
  let udpPort: number;

  beforeAll(async () => {
    app = await startTestApp();
    operator = (await app.call('POST', '/tokens', { body: { name: 'agent', role: 'operator' } })).body.token;
    viewer = (await app.call('POST', '/tokens', { body: { name: 'reader', role: 'viewer' } })).body.token;
    // Listeners of this process, which the agent must find under this PID.
    listener = createServer(() => undefined);
    await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
    tcpPort = (listener.address() as { port: number }).port;
    udp = createSocket('udp4');
    await new Promise<void>((done) => udp.bind(0, '127.0.0.1', done));
    udpPort = udp.address().port;
  }, 60_000);
  afterAll(async () => {
    udp?.close();
    await new Promise((done) => listener?.close(done));
    await app?.close();
  });

  const agent = (token: string, ...extra: string[]) =>
    runCli(['agent', '--server', app.url, '--token', token, ...extra], { timeoutMs: 60_000 });
  const views = async () => (await app.call('GET', '/host-views', { token: viewer })).body.total as number;

  it('--once stores this machine’s listeners, this process’s among them, as the operator token’s', async () => {
    const r = await agent(operator, '--once');
    expect(r.stderr).toMatch(PUSHED);
    expect(r.code).toBe(0);
    const [, listeners, name, id] = [...r.stderr.matchAll(PUSHED)][0]!;
    expect(name).toBe(hostname().toLowerCase());

    const res = await app.call('GET', `/host-views/${id}`, { token: viewer });
    expect(res.status).toBe(200);
    const view: HostViewDetail = HostViewDetailSchema.parse(res.body);
    expect(view).toMatchObject({ hostname: name, listeners: Number(listeners) });
    expect(view.reportedBy).toMatch(/^token:agent \(/);
    expect(view.addresses).toContain('127.0.0.1');
    const comm = readFileSync('/proc/self/comm', 'utf8').trim();
    const mine = { localAddress: '127.0.0.1', pid: process.pid, process: comm };
    expect(view.sockets).toContainEqual(
      expect.objectContaining({ ...mine, proto: 'tcp', localPort: tcpPort, state: 'LISTENING' }),
    );
    expect(view.sockets).toContainEqual(
      expect.objectContaining({ ...mine, proto: 'udp', localPort: udpPort }),
    );
    // The controller's own port is a listener of this process too.
    expect(view.sockets).toContainEqual(
      expect.objectContaining({ ...mine, proto: 'tcp', localPort: Number(new URL(app.url).port) }),
    );
    expect(
      view.sockets.every((s) => (s.proto === 'tcp' ? s.state === 'LISTENING' : s.remotePort === 0)),
    ).toBe(true);
    expect(r.stderr).not.toContain(operator);
  }, 90_000);

  it('a viewer token (403) and a revoked one (401) exit 70 with the controller’s reason; nothing is stored', async () => {
    const before = await views();
    const asViewer = await agent(viewer, '--once');
    expect(asViewer.code).toBe(70);
    expect(asViewer.stderr).toMatch(/\(403 .*operator.*\); it needs the operator role/);
    expect(asViewer.stderr).not.toContain(viewer);

    const gone = await app.call('POST', '/tokens', { body: { name: 'gone', role: 'operator' } });
    await app.call('DELETE', `/tokens/${gone.body.info.id}`);
    const revoked = await agent(gone.body.token, '--once');
    expect(revoked.code).toBe(70);
    expect(revoked.stderr).toMatch(
      /^fleetqry agent: the controller refused the token \(401 .*\); check --token$/m,
    );
    expect(revoked.stderr).not.toContain(gone.body.token);
    expect(await views()).toBe(before);
  }, 90_000);

  it('--interval pushes again every interval, each push the newer view, until SIGTERM; then exits 0', async () => {
    const p = startProcess(
      'agent',
      [
        join(REPO_ROOT, 'apps/cli/bin/fleetqry.js'),
        'agent',
        '--server',
        app.url,
        '--token',
        operator,
        '--interval',
        '1',
      ],
      {},
    );
    try {
      const deadline = Date.now() + 30_000;
      while ([...p.text().matchAll(PUSHED)].length < 2 && running(p) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const ids = [...p.text().matchAll(PUSHED)].map((m) => m[3]);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      // One view per host: the second push replaced the first.
      const list = await app.call(
        'GET',
        `/host-views?hostname=${encodeURIComponent(hostname().toLowerCase())}`,
        {
          token: viewer,
        },
      );
      expect(list.body.total).toBe(1);
      expect(Date.parse(list.body.items[0].takenAt)).toBeGreaterThan(Date.now() - 5_000);
    } finally {
      const stopped = await stopProcess(p, 10_000);
      expect(stopped.signal).toBe('SIGTERM');
    }
    expect(p.child.exitCode).toBe(0);
    expect(p.text()).toMatch(/^fleetqry agent: stopped$/m);
  }, 90_000);
});

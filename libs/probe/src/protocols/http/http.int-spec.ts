/** httpPlugin against a real nginx (plain, TLS with a self-signed certificate, HEAD refused) on 127.42.0.10. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { jest } from '@jest/globals';

import { labContext } from '../../testing/lab-ctx.js';
import {
  daemonsInstalled,
  run,
  type RunningDaemon,
  startDaemon,
  tempDir,
} from '../../testing/lab-daemons.js';
import { createHttpPlugin, httpPlugin } from './index.js';

jest.setTimeout(30_000);

const ADDR = '127.42.0.10';
const NGINX = '/usr/sbin/nginx';
const HEADERS_MORE = '/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so';
const run_ = daemonsInstalled('http: nginx', [NGINX, HEADERS_MORE, '/usr/bin/openssl']);

(run_ ? describe : describe.skip)('httpPlugin against nginx', () => {
  let tmp: ReturnType<typeof tempDir>;
  let nginx: RunningDaemon | undefined;

  beforeAll(async () => {
    tmp = tempDir('nginx');
    const d = tmp.dir;
    await run('/usr/bin/openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=lab.fleetqry.test',
      '-keyout',
      path.join(d, 'key.pem'),
      '-out',
      path.join(d, 'cert.pem'),
    ]);
    const tls = `ssl_certificate ${d}/cert.pem; ssl_certificate_key ${d}/key.pem;`;
    writeFileSync(
      path.join(d, 'nginx.conf'),
      `load_module ${HEADERS_MORE};
master_process off;
worker_processes 1;
error_log ${d}/error.log;
pid ${d}/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  server_tokens on;
  client_body_temp_path ${d}/body; proxy_temp_path ${d}/proxy; fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi; scgi_temp_path ${d}/scgi;
  server { listen ${ADDR}:80; location / { return 200 "ok\\n"; } }
  server { listen ${ADDR}:443 ssl; ${tls} location / { return 200 "ok\\n"; } }
  server { listen ${ADDR}:8443 ssl; ${tls} more_set_headers "Server: sni=$ssl_server_name"; location / { return 200; } }
  server { listen ${ADDR}:8000; location / { if ($request_method = HEAD) { return 405; } return 200 "ok\\n"; } }
}
`,
    );
    nginx = await startDaemon({
      name: 'nginx',
      command: NGINX,
      args: ['-p', d, '-c', path.join(d, 'nginx.conf'), '-g', 'daemon off;'],
      address: ADDR,
      port: 80,
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    tmp?.remove();
  });

  it('port 80: HEAD → 200 and Server nginx/1.22.1-style (server_tokens on)', async () => {
    const r = await httpPlugin.query(labContext(ADDR, 80, { host: 'lab.fleetqry.test' }));
    expect(r.status).toBe('success');
    expect(r.answered).toBe(true);
    expect(r.data?.http).toMatchObject({ statusCode: 200, tls: false });
    expect(r.data?.banner).toMatch(/^nginx\/\d+\.\d+\.\d+$/);
    expect(r.data?.http?.server).toBe(r.data?.banner);
  });

  it('port 443: TLS with a self-signed certificate (not verified)', async () => {
    const r = await httpPlugin.query(labContext(ADDR, 443, { host: 'lab.fleetqry.test' }));
    expect(r.status).toBe('success');
    expect(r.data?.http).toMatchObject({ statusCode: 200, tls: true });
    expect(r.data?.banner).toMatch(/^nginx\//);
  });

  it('TLS sends SNI = the host name (nginx echoes $ssl_server_name into Server)', async () => {
    const plugin = createHttpPlugin({ httpsPorts: [8443] });
    const r = await plugin.query(labContext(ADDR, 8443, { host: 'lab.fleetqry.test' }));
    expect(r.data?.banner).toBe('sni=lab.fleetqry.test');
    const byAddress = await plugin.query(labContext(ADDR, 8443));
    expect(byAddress.data?.banner).toBe('sni=');
  });

  it('HEAD refused with 405 → falls back to GET', async () => {
    const r = await httpPlugin.query(labContext(ADDR, 8000, { host: 'lab.fleetqry.test' }));
    expect(r.status).toBe('success');
    expect(r.data?.http?.statusCode).toBe(200);
  });

  it('plain HTTP to the TLS port → nginx answers 400; TLS to a plain port → protocol-error', async () => {
    const plainTo443 = await createHttpPlugin({ httpsPorts: [] }).query(labContext(ADDR, 443));
    expect(plainTo443.status).toBe('success');
    expect(plainTo443.data?.http).toMatchObject({ statusCode: 400, tls: false });
    const tlsTo80 = await createHttpPlugin({ httpsPorts: [80] }).query(labContext(ADDR, 80));
    expect(tlsTo80.status).toBe('protocol-error');
    expect(tlsTo80.answered).toBe(true);
  });

  it('a tiny byte cap → truncated, with the status line still reported', async () => {
    const r = await httpPlugin.query(labContext(ADDR, 80, { options: { maxResponseBytes: 40 } }));
    expect(r.status).toBe('truncated');
    expect(r.data?.http?.statusCode).toBe(200);
  });

  it('describe prints status and Server', async () => {
    const r = await httpPlugin.query(labContext(ADDR, 80));
    const lines = httpPlugin.describe({
      host: ADDR,
      address: ADDR,
      proto: 'tcp',
      port: 80,
      state: 'LISTENING',
      reason: 'syn-ack',
      observedAt: new Date().toISOString(),
      ...r.data,
    });
    expect(lines[0]).toBe('HTTP status: 200');
    expect(lines[1]).toMatch(/^Server: nginx\//);
  });
});

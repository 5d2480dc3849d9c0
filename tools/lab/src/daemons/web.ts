// HTTP: nginx (80, 443 TLS, fake IIS via headers-more), lighttpd 8080, python3 http.server 8000.
import fs from 'node:fs';
import path from 'node:path';

import type { HostDraft, PlanBuilder } from '../builder.js';
import { hostLabel } from '../config.js';
import { run, writeFile } from '../util.js';

const IIS_SERVER = 'Microsoft-IIS/10.0';

function web(
  b: PlanBuilder,
  h: HostDraft,
  port: number,
  service: string,
  server: string,
  tls: boolean,
): void {
  b.listen(h, 'tcp', port, service);
  h.truth.http[`tcp/${port}`] = { server, tls };
}

export function planWeb(b: PlanBuilder): void {
  const www = path.join(b.cfg.state, 'www');
  writeFile(path.join(www, 'index.html'), '<html><body>fleetqry lab host</body></html>\n');
  fs.chmodSync(www, 0o755);
  fs.chmodSync(b.cfg.state, 0o755);
  planNginx(b);
  planLighttpd(b, www);
  for (const h of b.with((r) => r.pyhttp)) {
    b.launch({
      name: `pyhttp-${hostLabel(h.index)}`,
      comm: 'python3',
      cmd: ['/usr/bin/python3', '-m', 'http.server', '8000', '--bind', h.truth.address, '--directory', www],
    });
    web(b, h, 8000, 'python-http.server', b.versions.pyhttp!, false);
    b.tag(h, 'http', 'python-http');
  }
}

function planNginx(b: PlanBuilder): void {
  const dir = path.join(b.cfg.conf, 'nginx');
  const servers: string[] = [];
  const nginxV = b.versions.nginx!;
  for (const h of b.with((r) => r.nginx80 || r.nginx443)) {
    const a = h.truth.address;
    const { nginx80, nginx443 } = h.roles;
    if (nginx80 === 'iis') {
      servers.push(
        `server { listen ${a}:80; more_set_headers "Server: ${IIS_SERVER}"; location / { return 200 "IIS\\n"; } }`,
      );
      web(b, h, 80, 'nginx-as-iis', IIS_SERVER, false);
      b.tag(h, 'http', 'iis');
    } else if (nginx80) {
      const on = nginx80 === 'tokens-on';
      servers.push(
        `server { listen ${a}:80; server_tokens ${on ? 'on' : 'off'}; location / { return 200 "${a}\\n"; } }`,
      );
      web(b, h, 80, 'nginx', on ? nginxV : 'nginx', false);
      b.tag(h, 'http', 'nginx');
    }
    if (nginx443) {
      const on = nginx443 === 'tokens-on';
      servers.push(
        `server { listen ${a}:443 ssl; server_tokens ${on ? 'on' : 'off'}; ssl_certificate ${dir}/cert.pem; ` +
          `ssl_certificate_key ${dir}/key.pem; location / { return 200 "${a} tls\\n"; } }`,
      );
      web(b, h, 443, 'nginx', on ? nginxV : 'nginx', true);
      b.tag(h, 'https');
    }
  }
  if (!servers.length) return;
  if (!fs.existsSync(path.join(dir, 'cert.pem'))) {
    fs.mkdirSync(dir, { recursive: true });
    run('/usr/bin/openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '3650',
      '-subj',
      '/CN=lab.fleetqry.test/O=fleetqry lab',
      '-keyout',
      `${dir}/key.pem`,
      '-out',
      `${dir}/cert.pem`,
    ]);
  }
  const t = path.join(dir, 'tmp');
  fs.mkdirSync(t, { recursive: true });
  const conf = `# fleetqry lab nginx: one master, one server block per host:port
load_module /usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so;
daemon off;
worker_processes 1;
pid ${b.cfg.run}/nginx.daemon.pid;
error_log ${b.cfg.log}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/plain;
  client_body_temp_path ${t}/body; proxy_temp_path ${t}/proxy; fastcgi_temp_path ${t}/fastcgi;
  uwsgi_temp_path ${t}/uwsgi; scgi_temp_path ${t}/scgi;
  ${servers.join('\n  ')}
}
`;
  writeFile(path.join(dir, 'nginx.conf'), conf);
  b.launch({
    name: 'nginx',
    comm: 'nginx',
    cmd: ['/usr/sbin/nginx', '-e', `${b.cfg.log}/nginx-error.log`, '-c', `${dir}/nginx.conf`],
  });
}

function planLighttpd(b: PlanBuilder, www: string): void {
  const hosts = b.with((r) => r.lighttpd);
  if (!hosts.length) return;
  const logDir = path.join(b.cfg.log, 'lighttpd');
  fs.mkdirSync(logDir, { recursive: true });
  const w = lookupUser('www-data');
  if (w) fs.chownSync(logDir, w.uid, w.gid); // lighttpd opens its log after dropping to www-data
  const [first, ...rest] = hosts;
  const conf = [
    '# fleetqry lab lighttpd',
    'server.modules = ( )',
    `server.document-root = "${www}"`,
    `server.bind = "${first!.truth.address}"`,
    'server.port = 8080',
    `server.errorlog = "${logDir}/error.log"`,
    'server.username = "www-data"',
    'server.groupname = "www-data"',
    'index-file.names = ( "index.html" )',
    ...rest.map((h) => `$SERVER["socket"] == "${h.truth.address}:8080" { }`),
  ];
  const file = path.join(b.cfg.conf, 'lighttpd.conf');
  writeFile(file, conf.join('\n') + '\n');
  b.launch({ name: 'lighttpd', comm: 'lighttpd', cmd: ['/usr/sbin/lighttpd', '-D', '-f', file] });
  for (const h of hosts) {
    web(b, h, 8080, 'lighttpd', b.versions.lighttpd!, false);
    b.tag(h, 'http', 'lighttpd');
  }
}

function lookupUser(name: string): { uid: number; gid: number } | null {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return null;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

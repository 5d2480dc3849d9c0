import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Observation } from '@fleetqry/contracts';

import { buildRequest, hostHeader, httpHeadFramer, httpPlugin, parseHttpHead, sniName } from './index.js';

const td = (name: string): Buffer =>
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'testdata', name));

function head(name: string): Buffer {
  const bytes = td(name);
  const f = httpHeadFramer(bytes);
  if (f.kind !== 'complete') throw new Error(`${name}: ${f.kind}`);
  return bytes.subarray(0, f.length);
}

describe('HTTP response heads on recorded bytes', () => {
  it('nginx 1.22 HEAD 200 (recorded)', () => {
    expect(parseHttpHead(head('nginx-1.22-head-200.bin'))).toMatchObject({
      statusCode: 200,
      httpVersion: '1.1',
      reason: 'OK',
      server: 'nginx/1.22.1',
    });
  });

  it('nginx 1.22 HEAD 405 (recorded) is a complete head', () => {
    expect(parseHttpHead(head('nginx-1.22-head-405.bin')).statusCode).toBe(405);
  });

  it('no Server header; folded Server header; control characters escaped', () => {
    expect(parseHttpHead(head('no-server-header.bin'))).toMatchObject({ statusCode: 204 });
    expect(parseHttpHead(head('no-server-header.bin')).server).toBeUndefined();
    expect(parseHttpHead(head('folded-server.bin')).server).toBe('Apache/2.4.57 (Debian)');
    expect(parseHttpHead(head('control-chars-server.bin')).server).toBe('evil\\x1b[2J\\x07srv');
  });

  it('truncated head: more, and the complete lines still give status and Server', () => {
    const bytes = td('truncated-headers.bin');
    expect(httpHeadFramer(bytes).kind).toBe('more');
    expect(parseHttpHead(bytes)).toMatchObject({ statusCode: 200, server: 'nginx/1.22.1' });
  });

  it('not HTTP → invalid as soon as the first bytes differ', () => {
    expect(httpHeadFramer(td('not-http.bin')).kind).toBe('invalid');
    expect(httpHeadFramer(Buffer.from('HTT')).kind).toBe('more');
  });

  it('100 Continue is its own head; the 200 follows', () => {
    const bytes = td('continue-then-200.bin');
    const f = httpHeadFramer(bytes);
    if (f.kind !== 'complete') throw new Error('head');
    expect(parseHttpHead(bytes.subarray(0, f.length)).statusCode).toBe(100);
    expect(parseHttpHead(bytes.subarray(f.length)).server).toBe('lighttpd/1.4.69');
  });
});

describe('request building', () => {
  it('Host carries the name, and the port when not the default', () => {
    expect(hostHeader('www.example.test', '127.42.0.10', 80, false)).toBe('www.example.test');
    expect(hostHeader('www.example.test', '127.42.0.10', 8080, false)).toBe('www.example.test:8080');
    expect(hostHeader('www.example.test', '127.42.0.10', 443, true)).toBe('www.example.test');
    expect(hostHeader('::1', '::1', 80, false)).toBe('[::1]');
  });

  it('a host with CR LF or spaces never reaches the request: the address is used', () => {
    expect(hostHeader('evil\r\nX-Injected: 1', '127.42.0.10', 80, false)).toBe('127.42.0.10');
    expect(buildRequest('HEAD', hostHeader('a b', '127.42.0.10', 80, false))).toContain(
      'Host: 127.42.0.10\r\n',
    );
  });

  it('SNI only for DNS names', () => {
    expect(sniName('lab.fleetqry.test.')).toBe('lab.fleetqry.test');
    expect(sniName('127.42.0.10')).toBeUndefined();
    expect(sniName('::1')).toBeUndefined();
  });
});

describe('httpPlugin.describe', () => {
  it('prints status and Server', () => {
    const obs = {
      http: { statusCode: 200, server: 'nginx/1.22.1', tls: true },
      protocol: { name: 'http', status: 'success', durationMs: 2 },
    };
    expect(httpPlugin.describe(obs as Observation)).toEqual([
      'HTTP status: 200 (TLS)',
      'Server: nginx/1.22.1',
    ]);
  });
});

import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { ldapPlugin, toRootDSE } from './index.js';

const ADDR = '127.41.0.22';
const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const ROOTDSE = readFileSync(join(dir, 'response-rootdse-slapd.bin'));
const NOSUCHOBJECT = readFileSync(join(dir, 'response-nosuchobject-slapd.bin'));

function ctx(port: number, timeoutMs = 500, signal = new AbortController().signal): ProtocolContext {
  return {
    host: ADDR,
    address: ADDR,
    port,
    proto: 'tcp',
    timeoutMs,
    signal,
    options: DEFAULT_COMMON_OPTIONS,
  };
}

const closers: Array<() => void> = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

/** A TCP peer that, once the search request arrives, plays `onRequest`. */
async function server(onRequest: (sock: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
    sock.once('data', () => onRequest(sock));
  });
  await new Promise<void>((r) => srv.listen(0, ADDR, () => r()));
  closers.push(() => {
    sockets.forEach((s) => s.destroy());
    srv.close();
  });
  return (srv.address() as net.AddressInfo).port;
}

describe('toRootDSE', () => {
  it('keeps text, renders binary as base64: and drops dn', () => {
    expect(
      toRootDSE({
        dn: '',
        namingContexts: 'dc=lab,dc=example',
        supportedLDAPVersion: ['2', '3'],
        objectGUID: Buffer.from([0, 1, 0xfe, 0xff]),
        textAsBuffers: [Buffer.from('plain')],
      }),
    ).toEqual({
      namingContexts: ['dc=lab,dc=example'],
      supportedLDAPVersion: ['2', '3'],
      objectGUID: ['base64:AAH+/w=='],
      textAsBuffers: ['plain'],
    });
  });
});

describe('ldapPlugin.query against replayed slapd answers', () => {
  it('parses the recorded rootDSE', async () => {
    const port = await server((s) => s.write(ROOTDSE));
    const r = await ldapPlugin.query(ctx(port));
    expect(r).toMatchObject({
      status: 'success',
      answered: true,
      evidence: 'namingContexts=dc=lab,dc=example',
    });
    const dse = r.data!.ldap!.rootDSE;
    expect(dse.namingContexts).toEqual(['dc=lab,dc=example']);
    expect(dse.supportedLDAPVersion).toEqual(['3']);
    expect(dse.objectClass).toEqual(['top', 'OpenLDAProotDSE']);
    expect(dse.supportedControl!.length).toBeGreaterThan(3);
  });

  it('maps an LDAP error result to application-error', async () => {
    const port = await server((s) => s.write(NOSUCHOBJECT));
    expect(await ldapPlugin.query(ctx(port))).toMatchObject({
      status: 'application-error',
      answered: true,
      detail: /LDAP result 32/,
    });
  });

  it('maps a non-LDAP reply to protocol-error', async () => {
    const port = await server((s) => s.end('HTTP/1.0 400 Bad Request\r\n\r\n'));
    expect(await ldapPlugin.query(ctx(port))).toMatchObject({ status: 'protocol-error', answered: true });
  });

  it('maps a truncated answer then close to protocol-error, and then silence to io-timeout', async () => {
    const closing = await server((s) => s.end(ROOTDSE.subarray(0, 100)));
    expect(await ldapPlugin.query(ctx(closing))).toMatchObject({ status: 'protocol-error', answered: true });
    const stalling = await server((s) => s.write(ROOTDSE.subarray(0, 100)));
    const t0 = performance.now();
    expect(await ldapPlugin.query(ctx(stalling, 300))).toMatchObject({
      status: 'io-timeout',
      answered: false,
    });
    expect(performance.now() - t0).toBeLessThan(450);
  });

  it('stops reading past the byte cap', async () => {
    // A SearchResultEntry header announcing 1 MiB, then the bytes.
    const big = Buffer.concat([Buffer.from([0x30, 0x83, 0x10, 0x00, 0x00]), Buffer.alloc(0x100000, 0x41)]);
    const port = await server((s) => s.write(big));
    expect(await ldapPlugin.query(ctx(port, 2000))).toMatchObject({ status: 'truncated', answered: true });
  });

  it('maps a refused connection and an abort', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, ADDR, () => r()));
    const closed = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    expect(await ldapPlugin.query(ctx(closed))).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });

    const silent = await server(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    expect(await ldapPlugin.query(ctx(silent, 5000, ac.signal))).toMatchObject({
      status: 'io-timeout',
      answered: false,
    });
    expect(performance.now() - t0).toBeLessThan(400);
  });
});

describe('ldapPlugin.describe', () => {
  it('prints PortQry-like attr: value lines', () => {
    const lines = ldapPlugin.describe({
      host: 'h',
      address: ADDR,
      proto: 'tcp',
      port: 389,
      state: 'LISTENING',
      reason: 'syn-ack',
      observedAt: new Date(0).toISOString(),
      ldap: { rootDSE: { namingContexts: ['dc=lab,dc=example'], supportedLDAPVersion: ['3'] } },
    });
    expect(lines).toEqual([
      'LDAP query response:',
      '',
      'namingContexts: dc=lab,dc=example',
      'supportedLDAPVersion: 3',
      '',
      '======== End of LDAP query response ========',
    ]);
  });
});

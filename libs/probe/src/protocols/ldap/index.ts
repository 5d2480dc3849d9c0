/**
 * LDAP rootDSE (TCP 389), PortQry-style: an anonymous base search of "" for every user and
 * operational attribute. ldapts does the protocol; we bound it (deadline, byte cap, abort) through
 * its timeouts and our own socket, and map each failure to one status.
 */
import net from 'node:net';

import { Client, ResultCodeError } from 'ldapts';

import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../plugin.js';
import { queryWindowMs } from '../query-window.js';
import { describeRootDse, toRootDSE } from './rootdse.js';

export { toRootDSE } from './rootdse.js';

type LdapResult = ProtocolResult & { answered: boolean };

/** The configured cap is sized for banners; an Active Directory rootDSE runs to several KiB. */
const MIN_LDAP_RESPONSE_BYTES = 64 * 1024;
const LDAP_MESSAGE_TAG = 0x30;

interface Wire {
  socket?: net.Socket;
  connected: boolean;
  bytes: number;
  firstByte?: number;
  overCap: boolean;
  deadline: boolean;
}

function classify(err: unknown, wire: Wire, windowMs: number, cap: number): LdapResult {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED')
    return { status: 'connection-refused', answered: false, detail: 'connection refused' };
  if (wire.overCap)
    return { status: 'truncated', answered: true, detail: `LDAP answer exceeded ${cap} bytes` };
  if (wire.firstByte !== undefined && wire.firstByte !== LDAP_MESSAGE_TAG)
    return { status: 'protocol-error', answered: true, detail: 'reply is not an LDAP message' };
  if (err instanceof ResultCodeError)
    return {
      status: 'application-error',
      answered: true,
      detail: `LDAP result ${err.code}: ${err.message.slice(0, 200)}`,
    };
  if (!wire.connected)
    return wire.deadline || /timeout/i.test(String((err as Error)?.message))
      ? {
          status: 'connection-timeout',
          answered: false,
          detail: `no TCP connection within ${Math.round(windowMs)} ms`,
        }
      : { status: 'connection-refused', answered: false, detail: `connection failed (${code ?? 'error'})` };
  if (wire.bytes > 0 && !wire.deadline)
    return { status: 'protocol-error', answered: true, detail: 'connection ended inside an LDAP answer' };
  return {
    status: 'io-timeout',
    answered: false,
    detail: `no complete rootDSE within ${Math.round(windowMs)} ms`,
  };
}

/** Ends the connection; with -sp by RST, so no TIME_WAIT is left on the fixed source port. */
function closeWire(wire: Wire, sourcePort: number | undefined): void {
  const s = wire.socket;
  if (!s || s.destroyed) return;
  if (sourcePort !== undefined && !s.connecting) s.resetAndDestroy();
  else s.destroy();
}

async function query(ctx: ProtocolContext): Promise<LdapResult> {
  const windowMs = queryWindowMs(ctx.timeoutMs);
  const cap = Math.max(ctx.options.maxResponseBytes, MIN_LDAP_RESPONSE_BYTES);
  const family = net.isIP(ctx.address);
  if (family === 0)
    return { status: 'application-error', answered: false, detail: 'address is not an IP literal' };
  if (ctx.signal.aborted) return { status: 'io-timeout', answered: false, detail: 'LDAP query aborted' };
  const wire: Wire = { connected: false, bytes: 0, overCap: false, deadline: false };

  // Our own socket: no name resolution, a byte counter/cap, and something to destroy on deadline/abort.
  const createConnection = ((port: number) => {
    const s = net.connect({
      host: ctx.address,
      port,
      ...(ctx.sourcePort !== undefined ? { localPort: ctx.sourcePort } : {}),
    });
    s.once('connect', () => (wire.connected = true));
    s.on('data', (chunk: Buffer) => {
      wire.firstByte ??= chunk[0];
      wire.bytes += chunk.length;
      if (wire.bytes > cap) {
        wire.overCap = true;
        s.destroy();
      }
    });
    wire.socket = s;
    return s;
  }) as unknown as typeof net.connect;

  const host = family === 6 ? `[${ctx.address}]` : ctx.address;
  const client = new Client({
    url: `ldap://${host}:${ctx.port}`,
    timeout: windowMs,
    connectTimeout: windowMs,
    createConnection,
  });
  const stop = (): void => {
    wire.deadline = true;
    closeWire(wire, ctx.sourcePort);
  };
  const timer = setTimeout(stop, windowMs);
  ctx.signal.addEventListener('abort', stop, { once: true });
  try {
    const { searchEntries } = await client.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['*', '+'],
      sizeLimit: 1,
      timeLimit: Math.max(1, Math.ceil(windowMs / 1000)),
    });
    const entry = searchEntries[0];
    if (!entry)
      return { status: 'application-error', answered: true, detail: 'the server returned no rootDSE entry' };
    const rootDSE = toRootDSE(entry);
    const contexts = rootDSE.namingContexts ?? rootDSE.namingcontexts ?? [];
    return {
      status: 'success',
      answered: true,
      detail: `rootDSE with ${Object.keys(rootDSE).length} attributes`,
      evidence: (contexts.length
        ? `namingContexts=${contexts.join(';')}`
        : `supportedLDAPVersion=${(rootDSE.supportedLDAPVersion ?? []).join(',')}`
      ).slice(0, 300),
      data: { ldap: { rootDSE } },
    };
  } catch (err) {
    return classify(err, wire, windowMs, cap);
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', stop);
    // Polite unbind when the connection is healthy, but never wait on it; then make sure it is gone.
    if (wire.connected && !wire.socket?.destroyed)
      await Promise.race([client.unbind().catch(() => undefined), new Promise((r) => setTimeout(r, 50))]);
    closeWire(wire, ctx.sourcePort);
  }
}

export const ldapPlugin: ProtocolPlugin = {
  name: 'ldap',
  ports: { tcp: [389] },
  query,
  describe: describeRootDse('LDAP query'),
};

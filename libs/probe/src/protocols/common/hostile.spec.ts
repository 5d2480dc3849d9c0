/**
 * Every banner plugin against hostile in-process peers: it must settle with the right status, at its
 * byte cap or deadline, and destroy its socket (the server sees each connection close).
 */
import { jest } from '@jest/globals';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext, type ProtocolPlugin } from '../plugin.js';
import {
  closedPort,
  type HostileKind,
  type HostileOptions,
  startHostileServer,
  startSynBlackhole,
} from '../../testing/hostile-servers.js';
import { preconditionMet } from '../../testing/lab-daemons.js';
import { ftpPlugin } from '../ftp/index.js';
import { createHttpPlugin, httpPlugin } from '../http/index.js';
import { imapPlugin } from '../imap/index.js';
import { pop3Plugin } from '../pop3/index.js';
import { smtpPlugin } from '../smtp/index.js';
import { sshPlugin } from '../ssh/index.js';

const DEADLINE_MS = 1500;
const CAP = 4096;
/** Only a sanity bound against hangs; not a timing assertion. */
const SETTLE_BOUND_MS = DEADLINE_MS + 5000;

jest.setTimeout(30_000);

interface Case {
  plugin: ProtocolPlugin;
  /** A valid start of the protocol, so the framer keeps reading. */
  prefix: string;
  line: string;
  /** Sent before the endless lines. */
  linePrefix: string;
  /** Single-line greetings end at the first line of an endless stream. */
  singleLine?: boolean;
}

const CASES: Case[] = [
  { plugin: smtpPlugin, prefix: '220 ', linePrefix: '', line: '220-endless greeting line\r\n' },
  {
    plugin: ftpPlugin,
    prefix: '220 ',
    linePrefix: '220-first\r\n',
    line: 'free text line of a multi-line reply\r\n',
  },
  { plugin: pop3Plugin, prefix: '+OK ', linePrefix: '+OK ', line: 'more text\r\n', singleLine: true },
  { plugin: imapPlugin, prefix: '* OK ', linePrefix: '* OK ', line: 'more text\r\n', singleLine: true },
  { plugin: sshPlugin, prefix: '', linePrefix: '', line: 'a pre-banner line\r\n' },
  {
    plugin: httpPlugin,
    prefix: 'HTTP/1.1 200 OK\r\n',
    linePrefix: 'HTTP/1.1 200 OK\r\n',
    line: 'X-Filler: aaaaaaaaaaaaaaaa\r\n',
  },
];

function ctxFor(address: string, port: number, signal = new AbortController().signal): ProtocolContext {
  return {
    host: address,
    address,
    port,
    proto: 'tcp',
    timeoutMs: DEADLINE_MS,
    signal,
    options: { ...DEFAULT_COMMON_OPTIONS, maxResponseBytes: CAP },
  };
}

async function settles<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('query did not settle')), SETTLE_BOUND_MS);
  });
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function against(kind: HostileKind, c: Case, opts: HostileOptions = {}) {
  const server = await startHostileServer(kind, { prefix: c.prefix, line: c.line, ...opts });
  try {
    const result = await settles(c.plugin.query(ctxFor(server.address, server.port)));
    const closed = await server.allClosed(3000);
    return { result, closed, server };
  } finally {
    await server.close();
  }
}

describe.each(CASES)('$plugin.name against hostile peers', (c) => {
  it('endless banner without a newline → truncated at the cap, with what was read', async () => {
    const { result, closed, server } = await against('endless-banner', c);
    expect(result.status).toBe('truncated');
    expect(result.answered).toBe(true);
    expect(result.evidence?.length).toBeGreaterThan(0);
    expect(closed).toBe(true);
    // Back-pressure: the server could not push unbounded data into us.
    expect(server.connections[0]!.bytesWritten).toBeLessThan(64 * 1024 * 1024);
  });

  it(
    c.singleLine ? 'endless lines → the first line is the greeting' : 'endless lines → truncated',
    async () => {
      const { result, closed } = await against('endless-lines', c, { prefix: c.linePrefix });
      expect(result.status).toBe(c.singleLine ? 'success' : 'truncated');
      expect(result.answered).toBe(true);
      expect(closed).toBe(true);
    },
  );

  it('tarpit (accepts, never speaks) → io-timeout, not answered', async () => {
    const { result, closed } = await against('tarpit', c);
    expect(result.status).toBe('io-timeout');
    expect(result.answered).toBe(false);
    expect(closed).toBe(true);
  });

  it('slowloris (1 byte every 500 ms) → io-timeout, answered', async () => {
    const { result, closed } = await against('slowloris', c, { prefix: c.prefix || 'SSH-2.0-', dripMs: 500 });
    expect(result.status).toBe('io-timeout');
    expect(result.answered).toBe(true);
    expect(closed).toBe(true);
  });

  it('binary garbage → protocol-error, answered', async () => {
    const { result, closed } = await against('garbage', c);
    expect(result.status).toBe('protocol-error');
    expect(result.answered).toBe(true);
    expect(result.evidence).toMatch(/\\x00/);
    expect(closed).toBe(true);
  });

  it('closes at once (FIN) → io-timeout, not answered', async () => {
    const { result, closed } = await against('close-immediately', c);
    expect(result.status).toBe('io-timeout');
    expect(result.answered).toBe(false);
    expect(closed).toBe(true);
  });

  it('resets at once (RST) → io-timeout, not answered', async () => {
    const { result } = await against('close-immediately', c, { reset: true });
    expect(result.status).toBe('io-timeout');
    expect(result.answered).toBe(false);
  });

  it('nothing listening → connection-refused', async () => {
    const port = await closedPort();
    const result = await settles(c.plugin.query(ctxFor('127.42.0.1', port)));
    expect(result).toMatchObject({ status: 'connection-refused', answered: false });
  });

  it('abort signal during a tarpit → settles as io-timeout', async () => {
    const server = await startHostileServer('tarpit');
    try {
      const ac = new AbortController();
      const ctx = { ...ctxFor(server.address, server.port, ac.signal), timeoutMs: 60_000 };
      const pending = c.plugin.query(ctx);
      setTimeout(() => ac.abort(), 200);
      const result = await settles(pending);
      expect(result.status).toBe('io-timeout');
      expect(await server.allClosed(3000)).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('a server shedding load (hangs up at once, then greets)', () => {
  const GREETINGS: { plugin: ProtocolPlugin; greeting: string }[] = [
    { plugin: smtpPlugin, greeting: '220 mail.example ESMTP ready\r\n' },
    { plugin: ftpPlugin, greeting: '220 FTP ready\r\n' },
    { plugin: pop3Plugin, greeting: '+OK POP3 ready\r\n' },
    { plugin: imapPlugin, greeting: '* OK IMAP4rev1 ready\r\n' },
    { plugin: sshPlugin, greeting: 'SSH-2.0-dropbear_2022.83\r\n' },
  ];

  it.each(GREETINGS)('$plugin.name: the second connection is read', async ({ plugin, greeting }) => {
    let accepted = 0;
    const server = await startHostileServer('script', {
      script: (socket) => (accepted++ === 0 ? socket.end() : socket.write(greeting)),
    });
    try {
      const result = await settles(plugin.query(ctxFor(server.address, server.port)));
      expect(result).toMatchObject({
        answered: true,
        evidence: expect.stringContaining(greeting.slice(0, 5)),
      });
      expect(server.connections).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it.each(GREETINGS)(
    '$plugin.name: a server that always hangs up is tried twice, then io-timeout',
    async ({ plugin }) => {
      const server = await startHostileServer('close-immediately');
      try {
        const result = await settles(plugin.query(ctxFor(server.address, server.port)));
        expect(result).toMatchObject({ status: 'io-timeout', answered: false });
        expect(server.connections).toHaveLength(2);
        expect(await server.allClosed(3000)).toBe(true);
      } finally {
        await server.close();
      }
    },
  );
});

describe('connect that never completes (full accept queue)', () => {
  it.each(CASES)('$plugin.name → connection-timeout', async (c) => {
    const hole = await startSynBlackhole('127.42.0.2');
    if (!hole) {
      preconditionMet('connection-timeout case', 'python3 is not available');
      return;
    }
    try {
      const result = await settles(c.plugin.query(ctxFor(hole.address, hole.port)));
      expect(result).toMatchObject({ status: 'connection-timeout', answered: false });
    } finally {
      await hole.close();
    }
  });
});

describe('HTTPS (TLS) against hostile peers', () => {
  it.each([
    ['tarpit', 'io-timeout', false],
    ['garbage', 'protocol-error', true],
    ['close-immediately', 'io-timeout', false],
    ['endless-banner', 'protocol-error', true],
  ] as const)('%s → %s', async (kind, status, answered) => {
    const server = await startHostileServer(kind, { prefix: 'HTTP/1.1 200 OK\r\n' });
    try {
      const plugin = createHttpPlugin({ httpsPorts: [server.port] });
      const result = await settles(plugin.query(ctxFor(server.address, server.port)));
      expect(result).toMatchObject({ status, answered });
      expect(await server.allClosed(3000)).toBe(true);
    } finally {
      await server.close();
    }
  });
});

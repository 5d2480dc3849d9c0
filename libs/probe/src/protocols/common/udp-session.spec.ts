import dgram from 'node:dgram';
import { Worker } from 'node:worker_threads';

import type { UdpPatience } from '../plugin.js';
import { runUdpSession, udpTiming, type UdpSessionInput } from './udp-session.js';

// Peers are in-process sockets on 127.0.0.1; nothing leaves loopback.

/** A UDP peer that counts what it receives and answers the n-th datagram (1-based) after `delayMs`. */
async function peer(answer?: { nth: number; delayMs?: number }) {
  const socket = dgram.createSocket('udp4');
  let received = 0;
  socket.on('message', (_msg, rinfo) => {
    received++;
    if (answer && received === answer.nth)
      setTimeout(() => socket.send(Buffer.from('pong'), rinfo.port, rinfo.address), answer.delayMs ?? 0);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return {
    port: socket.address().port,
    received: () => received,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

async function freeUdpPort(): Promise<number> {
  const p = await peer();
  await p.close();
  return p.port;
}

/** Patience whose estimate the test sets (or not), recording what the session measured. */
function testPatience(initial?: { timeoutMs: number; attempts: number; minQuietMs: number }) {
  let value = initial;
  const listeners = new Set<() => void>();
  const observed: number[] = [];
  const patience: UdpPatience = {
    current: () => value,
    watch: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    observe: (rtt) => observed.push(rtt),
  };
  return {
    patience,
    observed,
    listeners,
    set(v: { timeoutMs: number; attempts: number; minQuietMs: number }) {
      value = v;
      for (const l of listeners) l();
    },
  };
}

function session(port: number, over: Partial<UdpSessionInput> = {}) {
  let answered = false;
  const run = runUdpSession({
    address: '127.0.0.1',
    port,
    windowMs: 5_000,
    maxDatagrams: 8,
    outgoing: () => (answered ? [] : [Buffer.from('ping')]),
    onDatagram: (_msg, _from, ctl) => {
      answered = true;
      ctl.finish();
    },
    ...over,
  });
  return run;
}

/**
 * A peer on its own thread, so it answers while this thread is stalled: `stallAfterMs` after a datagram it
 * tells this thread to stall (delivered as an I/O event, like a busy worker's other sockets), and it answers
 * `answerAfterMs` after the datagram.
 */
async function threadPeer(stallAfterMs: number, answerAfterMs: number, onStall: () => void) {
  const worker = new Worker(
    `const dgram = require('node:dgram');
     const { parentPort } = require('node:worker_threads');
     const s = dgram.createSocket('udp4');
     s.on('message', (_m, r) => {
       setTimeout(() => parentPort.postMessage('stall'), ${stallAfterMs});
       setTimeout(() => s.send(Buffer.from('pong'), r.port, r.address), ${answerAfterMs});
     });
     s.bind(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));`,
    { eval: true },
  );
  const port = await new Promise<number>((r) => worker.once('message', r));
  worker.on('message', (m) => m === 'stall' && onStall());
  return { port, close: () => worker.terminate() };
}

function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a stalled worker: nothing else runs on this thread meanwhile
  }
}

describe('udpTiming', () => {
  it('settles before the deadline and resends once when there is time', () => {
    expect(udpTiming(1000)).toEqual({ windowMs: 975, resendAtMs: [390] });
    expect(udpTiming(2000).windowMs).toBe(1975);
    expect(udpTiming(100)).toEqual({ windowMs: 90, resendAtMs: [] });
  });
});

describe('runUdpSession', () => {
  it('listens for the whole window, resending at the given offsets, while the host is unmeasured', async () => {
    const p = await peer();
    try {
      const r = await session(p.port, {
        windowMs: 300,
        resendAtMs: [100, 200],
        patience: testPatience().patience,
      });
      expect(r.end).toEqual({ kind: 'silence' });
      expect(r.sends).toBe(3);
      expect(p.received()).toBe(3);
      expect(r.listenedMs).toBeGreaterThanOrEqual(290);
    } finally {
      await p.close();
    }
  });

  it('on a measured host, resends once per host timeout and ends after the last attempt, long before the window', async () => {
    const p = await peer();
    try {
      const t = testPatience({ timeoutMs: 40, attempts: 3, minQuietMs: 0 });
      const r = await session(p.port, { windowMs: 20_000, resendAtMs: [8_000], patience: t.patience });
      expect(r.end).toEqual({ kind: 'silence' });
      expect(r.sends).toBe(3);
      expect(p.received()).toBe(3);
      // three sends, each given its 40 ms; the 20 s window and the 8 s resend never came into play
      expect(r.listenedMs).toBeGreaterThanOrEqual(115);
      expect(r.listenedMs).toBeLessThan(8_000);
      expect(t.listeners.size).toBe(0); // unsubscribed at the end
    } finally {
      await p.close();
    }
  });

  it('never declares silence before the floor, so a slow service on a fast host still gets its answer in', async () => {
    // host timeout 30 ms × 3 attempts would end at ~90 ms; the service answers the first datagram at 200 ms
    const p = await peer({ nth: 1, delayMs: 200 });
    try {
      const t = testPatience({ timeoutMs: 30, attempts: 3, minQuietMs: 400 });
      const r = await session(p.port, { windowMs: 20_000, patience: t.patience });
      expect(r.end).toEqual({ kind: 'done' });
      expect(r.sends).toBe(3);
      // and a silent port ends at the floor, not at the window
      const quiet = await peer();
      try {
        const q = await session(quiet.port, { windowMs: 20_000, patience: t.patience });
        expect(q.end).toEqual({ kind: 'silence' });
        expect(q.listenedMs).toBeGreaterThanOrEqual(395);
        expect(q.listenedMs).toBeLessThan(8_000);
      } finally {
        await quiet.close();
      }
    } finally {
      await p.close();
    }
  });

  it('switches to the host timeout when the host is measured while the query runs', async () => {
    const p = await peer();
    try {
      const t = testPatience();
      setTimeout(() => t.set({ timeoutMs: 30, attempts: 2, minQuietMs: 0 }), 50);
      const r = await session(p.port, { windowMs: 20_000, resendAtMs: [8_000], patience: t.patience });
      expect(r.end).toEqual({ kind: 'silence' });
      // sent at 0; at 50 the first send has waited longer than one timeout, so the resend goes at once,
      // and silence is final one timeout later (~80 ms)
      expect(r.sends).toBe(2);
      expect(r.listenedMs).toBeGreaterThanOrEqual(75);
      expect(r.listenedMs).toBeLessThan(8_000);
    } finally {
      await p.close();
    }
  });

  it('still takes a late answer to an earlier send while attempts remain', async () => {
    // answers the first datagram 120 ms late; the host timeout is 100 ms with 3 attempts
    const p = await peer({ nth: 1, delayMs: 120 });
    try {
      const r = await session(p.port, {
        patience: testPatience({ timeoutMs: 100, attempts: 3, minQuietMs: 0 }).patience,
      });
      expect(r.end).toEqual({ kind: 'done' });
      expect(r.sends).toBe(2);
    } finally {
      await p.close();
    }
  });

  it('measures the round trip only when nothing was resent before the answer (Karn)', async () => {
    const quick = await peer({ nth: 1 });
    const second = await peer({ nth: 2 });
    try {
      const a = testPatience({ timeoutMs: 1_000, attempts: 3, minQuietMs: 0 });
      const ra = await session(quick.port, { patience: a.patience });
      expect(ra.end).toEqual({ kind: 'done' });
      expect(a.observed).toHaveLength(1);
      expect(ra.rttMs).toBe(a.observed[0]);

      const b = testPatience({ timeoutMs: 30, attempts: 3, minQuietMs: 0 });
      const rb = await session(second.port, { patience: b.patience });
      expect(rb.end).toEqual({ kind: 'done' });
      expect(rb.sends).toBe(2);
      expect(b.observed).toEqual([]);
      expect(rb.rttMs).toBeUndefined();
    } finally {
      await Promise.all([quick.close(), second.close()]);
    }
  });

  it('reports ICMP port unreachable as refused and measures it', async () => {
    const t = testPatience();
    const r = await session(await freeUdpPort(), { patience: t.patience });
    expect(r.end).toEqual({ kind: 'refused' });
    expect(t.observed).toHaveLength(1);
  });

  it('ends as aborted when the signal fires, and refuses a non-IP address without a socket', async () => {
    const p = await peer();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      const r = await session(p.port, { signal: controller.signal });
      expect(r.end).toEqual({ kind: 'aborted' });
      expect(await session(p.port, { address: 'localhost' })).toMatchObject({
        end: { kind: 'error', code: 'EINVAL' },
        sends: 0,
      });
    } finally {
      await p.close();
    }
  });

  it('reads a reply that arrived during a stall of this thread before it calls the port silent', async () => {
    // Ping at ~0 ms; this thread stalls from ~10 ms to ~410 ms; the answer lands at ~30 ms, and the 80 ms
    // window expires during the stall, so the next loop turn runs its timer before it polls the socket.
    const p = await threadPeer(10, 30, () => blockEventLoop(400));
    try {
      const r = await session(p.port, { windowMs: 80 });
      expect(r.end).toEqual({ kind: 'done' });
    } finally {
      await p.close();
    }
  });
});

// Thin async wrappers around standard clients (nc, dig, curl, snmpget, ...). Loopback targets only.
import { spawn } from 'node:child_process';

import { assertLoopback } from './config.js';

export interface Result {
  rc: number | null;
  out: string;
  raw: Buffer;
  ms: number;
}

/** Runs cmd with a hard time limit; `until` ends it early once the output is complete. */
export function client(
  cmd: string,
  args: string[],
  limitMs: number,
  until?: (out: Buffer) => boolean,
): Promise<Result> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MIBS: '' } });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (rc: number | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      resolve({ rc, out: raw.toString('latin1'), raw, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      finish(null);
    }, limitMs);
    p.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      if (until?.(Buffer.concat(chunks))) {
        p.kill('SIGKILL');
        finish(0);
      }
    });
    p.stderr.on('data', (d: Buffer) => chunks.push(d));
    p.on('close', (rc) => finish(rc));
    p.on('error', () => finish(127));
  });
}

export function tcpConnect(addr: string, port: number, waitS = 2): Promise<Result> {
  return client(
    'nc',
    ['-z', '-v', '-n', '-w', String(waitS), assertLoopback(addr), String(port)],
    waitS * 1000 + 2000,
  );
}

/** First line the server sends (SSH, FTP, SMTP, POP3, IMAP greet first). */
export async function firstLine(addr: string, port: number): Promise<string> {
  const r = await client('nc', ['-n', '-w', '3', assertLoopback(addr), String(port)], 5000, (b) =>
    b.includes(0x0a),
  );
  return (r.out.split('\n')[0] ?? '').replace(/\r$/, '');
}

export function dig(server: string, args: string[], tcp = false): Promise<Result> {
  const a = ['+time=1', '+tries=1', ...(tcp ? ['+tcp'] : []), `@${assertLoopback(server)}`, ...args];
  return client('dig', a, 5000);
}

export async function httpServer(addr: string, port: number, tls: boolean): Promise<string> {
  const url = `${tls ? 'https' : 'http'}://${assertLoopback(addr)}:${port}/`;
  const r = await client(
    'curl',
    ['-s', '-k', '-m', '4', '--noproxy', '*', '-o', '/dev/null', '-D', '-', url],
    6000,
  );
  return /^server:\s*(.*?)\r?$/im.exec(r.out)?.[1] ?? '';
}

export function snmpGet(addr: string, auth: string[], oid: string): Promise<Result> {
  return client(
    'snmpget',
    [...auth, '-m', '', '-t', '1', '-r', '1', '-Oqv', `${assertLoopback(addr)}:161`, oid],
    6000,
  );
}

// Test-only: a private OpenSMTPD (Debian's opensmtpd, installed by tools/lab/lab.sh install) that accepts
// every message on its own loopback address and port and delivers it to a maildir the test reads.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SMTPD = '/usr/sbin/smtpd';

interface MailMessage {
  headers: Record<string, string>;
  body: string;
}

export interface SmtpServer {
  url: string;
  /** Messages delivered so far, oldest first. */
  messages(): MailMessage[];
  stop(): Promise<void>;
}

/**
 * smtpd keeps its control socket in /run and its queue in /var/spool/smtpd, which the fleet lab's own
 * instance uses: this one runs in a private mount namespace with both replaced by directories of its own,
 * so the two never meet. It runs as root (smtpd drops privileges itself) and is stopped by the test.
 */
export async function startOpenSmtpd(address: string, port: number): Promise<SmtpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fq-smtpd-'));
  chmodSync(dir, 0o755);
  const run = join(dir, 'run');
  const spool = join(dir, 'spool');
  const maildir = join(dir, 'Maildir');
  mkdirSync(run);
  mkdirSync(spool, { mode: 0o711 });
  chmodSync(spool, 0o711); // smtpd refuses a spool that is not rwx--x--x
  mkdirSync(maildir);
  chownSync(maildir, 65534, 65534); // delivered as nobody
  const conf = join(dir, 'smtpd.conf');
  writeFileSync(
    conf,
    [
      'table vusers { "@" = "nobody" }',
      `listen on ${address} port ${port} hostname mx.fleetqry.test`,
      `action "keep" maildir "${maildir}" virtual <vusers>`,
      'match from any for any action "keep"',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const child: ChildProcess = spawn(
    'unshare',
    [
      '-m',
      '--',
      'sh',
      '-c',
      `mount --bind "${run}" /run && mount --bind "${spool}" /var/spool/smtpd && exec ${SMTPD} -d -f "${conf}"`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = new Promise<void>((r) => child.once('close', () => r()));
      child.kill('SIGTERM');
      await closed;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 10_000;
  while (!(await accepts(address, port))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error(`opensmtpd did not start on ${address}:${port}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `smtp://${address}:${port}`,
    messages: () => {
      const dirNew = join(maildir, 'new');
      if (!existsSync(dirNew)) return [];
      return readdirSync(dirNew)
        .sort()
        .map((f) => parseMessage(readFileSync(join(dirNew, f), 'utf8')));
    },
    stop,
  };
}

function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Headers (unfolded, lower-case names) and the body, decoded from quoted-printable or base64 if needed. */
function parseMessage(raw: string): MailMessage {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const headers: Record<string, string> = {};
  for (const line of text
    .slice(0, split)
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = text.slice(split + 2);
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    body = Buffer.from(bytes, 'latin1').toString('utf8');
  } else if (encoding === 'base64') body = Buffer.from(body, 'base64').toString('utf8');
  return { headers, body };
}

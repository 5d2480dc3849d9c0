/**
 * Test helper (integration specs only): a host in a network namespace the test creates, reached over a
 * veth pair on a /30 of 198.18.0.0/15 (RFC 2544 benchmarking space). Unlike 127/8, whose ICMP errors
 * the kernel never rate-limits, this host applies Linux's real ICMP rate limits (per destination: a
 * burst of 6, then one per second), so tests can see what a real fleet does to a UDP scan. Packets go
 * to the namespace only: the veth is the only route to the /30. Needs root (ip netns, nft).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface NetnsHost {
  /** The namespace side's address (the target). */
  address: string;
  /** The namespace's ICMP counter of errors not sent because of the per-destination rate limit. */
  icmpRateLimited(): number;
  /** Drops UDP datagrams to these ports inside the namespace (a firewalled port). */
  dropUdp(ports: number[]): void;
  /** A UDP service inside the namespace: `echo` ports answer "pong", `silent` ports read and never answer. */
  serveUdp(spec: { echo: number[]; silent: number[] }): Promise<void>;
  close(): Promise<void>;
}

function ip(args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Whether this process may create namespaces (root with ip and nft); the caller skips otherwise. */
export function canCreateNetns(): boolean {
  return (
    process.getuid?.() === 0 &&
    spawnSync('ip', ['netns', 'list']).status === 0 &&
    spawnSync('nft', ['--version']).status === 0
  );
}

export function createNetnsHost(): NetnsHost {
  // A per-process /30 of 198.18.0.0/16, so parallel runs never share addresses or names.
  const n = process.pid % 16_384;
  const prefix = `198.18.${n >> 6}`;
  const base = (n & 63) << 2;
  const local = `${prefix}.${base + 1}`;
  const address = `${prefix}.${base + 2}`;
  const ns = `fqtest-${process.pid}`;
  const outer = `fqt${process.pid}a`.slice(0, 15);
  const inner = `fqt${process.pid}b`.slice(0, 15);
  const children: ChildProcess[] = [];
  const inNs = (cmd: string, args: string[]) => {
    const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${ns}: ${r.stderr || r.error?.message}`);
    return r.stdout;
  };

  ip(['netns', 'add', ns]);
  try {
    ip(['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    ip(['link', 'set', inner, 'netns', ns]);
    ip(['addr', 'add', `${local}/30`, 'dev', outer]);
    ip(['link', 'set', outer, 'up']);
    ip(['-n', ns, 'addr', 'add', `${address}/30`, 'dev', inner]);
    ip(['-n', ns, 'link', 'set', inner, 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  } catch (e) {
    spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', outer]);
    throw e;
  }

  return {
    address,
    icmpRateLimited: () => {
      // /proc/net/snmp: an "Icmp:" header line, then an "Icmp:" values line.
      const lines = inNs('cat', ['/proc/net/snmp'])
        .split('\n')
        .filter((l) => l.startsWith('Icmp:'));
      const names = lines[0]?.split(/\s+/) ?? [];
      const values = lines[1]?.split(/\s+/) ?? [];
      const i = names.indexOf('OutRateLimitHost');
      return i < 0 ? NaN : Number(values[i]);
    },
    dropUdp: (ports) => {
      inNs('nft', ['add', 'table', 'inet', 'fqtest']);
      inNs('nft', ['add', 'chain', 'inet', 'fqtest', 'input', '{ type filter hook input priority 0; }']);
      inNs('nft', [
        'add',
        'rule',
        'inet',
        'fqtest',
        'input',
        'udp',
        'dport',
        `{ ${ports.join(', ')} }`,
        'drop',
      ]);
    },
    serveUdp: async ({ echo, silent }) => {
      const code = `
        const dgram = require('node:dgram');
        let bound = 0;
        const all = ${JSON.stringify([...echo.map((p) => [p, true]), ...silent.map((p) => [p, false])])};
        for (const [port, answers] of all) {
          const s = dgram.createSocket('udp4');
          s.on('message', (m, r) => answers && s.send('pong', r.port, r.address));
          s.bind(port, ${JSON.stringify(address)}, () => ++bound === all.length && console.log('ready'));
        }
        setTimeout(() => process.exit(0), 300000);`;
      const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('UDP service in the namespace did not start')),
          10_000,
        );
        child.stdout?.once('data', () => {
          clearTimeout(timer);
          resolve();
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`UDP service in the namespace exited ${code}`));
        });
      });
    },
    close: async () => {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGKILL');
          await exited;
        }
      spawnSync('ip', ['netns', 'del', ns]); // takes the inner veth, and so its peer, with it
      spawnSync('ip', ['link', 'del', outer]);
    },
  };
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';

import { loadGroundTruth, REPO_ROOT } from './run-cli.js';

/**
 * `fleetqry -i` driven through a real pseudo-terminal: util-linux `script` gives the CLI a pty (so
 * readline runs in terminal mode, as for a user), and this test types PortQry's shortcut commands,
 * waiting for the prompt each time, against lab daemons chosen from the ground truth.
 */
const truth = loadGroundTruth();
const ssh = truth.hosts.find((h) => (h.banners['tcp/22'] ?? '').includes('OpenSSH'))!;
const agent = truth.hosts.find((h) => h.snmp?.versions.includes('v2c') && 'public' in h.snmp.communities)!;

class Pty {
  private text = '';
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    const cmd = [process.execPath, resolve(REPO_ROOT, 'apps/cli/bin/fleetqry.js'), ...args].join(' ');
    this.child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: REPO_ROOT });
    this.child.stdout.on('data', (d: Buffer) => (this.text += d.toString().replace(/\r/g, '')));
    this.exited = new Promise((done) => this.child.on('close', done));
  }

  /** Everything printed so far, without the terminal's carriage returns and cursor codes. */
  get output(): string {
    // eslint-disable-next-line no-control-regex
    return this.text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  }

  /** Waits until the output holds `count` prompts (or `what`), within a deadline. */
  async waitFor(what: RegExp, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!what.test(this.output)) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; output:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  prompts(): number {
    return (this.output.match(/^> /gm) ?? []).length;
  }

  /** Types a line and waits for the next prompt (the command has finished). */
  async type(line: string): Promise<void> {
    const before = this.prompts();
    this.child.stdin.write(`${line}\r`);
    const until = Date.now() + 60_000;
    while (this.prompts() <= before) {
      if (Date.now() > until) throw new Error(`no prompt after "${line}"; output:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  quit(line = 'q'): void {
    this.child.stdin.write(`${line}\r`);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

describe('fleetqry -i (interactive mode) in a pseudo-terminal', () => {
  it('sets node, port, protocol and community with the shortcuts, queries, and quits with q', async () => {
    const pty = new Pty(['-i']);
    try {
      await pty.waitFor(/^> /m);
      expect(pty.output).toMatch(
        /^Portqry Interactive Mode\n\nType 'help' for a list of commands\n\nDefault Node: 127\.0\.0\.1\n\nCurrent option values:\nend port= 80\nprotocol= TCP\nsource port= 0 \(ephemeral\)\n/,
      );
      await pty.type(`n ${ssh.address}`);
      await pty.type('e 22');
      await pty.type('nr');
      await pty.type('query');
      expect(pty.output).toContain('TCP port 22 (ssh service): LISTENING');
      expect(pty.output).toContain(ssh.banners['tcp/22']);

      await pty.type(`node ${agent.address}`);
      await pty.type('set protocol=udp');
      await pty.type('set port=161');
      await pty.type('cn !public!');
      await pty.type('set all');
      expect(pty.output).toMatch(
        /Default Node: [\d.]+\n\nCurrent option values:\nend port= 161\nprotocol= UDP\n/,
      );
      await pty.type('query');
      expect(pty.output).toContain('Sending SNMP query to UDP port 161...');
      expect(pty.output).toContain('UDP port 161 is LISTENING');

      await pty.type('r 20:23');
      await pty.type('p tcp');
      await pty.type('.');
      expect([...pty.output.matchAll(/^TCP port (\d+) /gm)].map((m) => m[1]).slice(-4)).toEqual([
        '20',
        '21',
        '22',
        '23',
      ]);

      await pty.type('e 99999');
      expect(pty.output).toMatch(/fleetqry: -e: .*99999/);
      await pty.type('bogus');
      expect(pty.output).toContain('fleetqry: unknown command "bogus" (type help)');
      pty.quit('q');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.kill();
    }
  }, 180_000);
});

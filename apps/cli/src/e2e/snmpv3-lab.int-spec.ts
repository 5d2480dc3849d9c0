import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ReportSchema } from '@fleetqry/contracts';

import { loadGroundTruth, runCli, type HostTruth } from './run-cli.js';

/**
 * The embedded sweep with SNMPv3 users from an inventory file, on the fleet lab: every v3 user the ground
 * truth lists is tried on every SNMP agent of the first /26, and the baseline's v3 rules flag exactly what
 * the truth says each v3-only agent accepts (MD5/SHA-1, DES, authNoPriv, noAuthNoPriv); agents that do not
 * know the users (community agents, which still answer v3 discovery) are flagged for none of it.
 */
const truth = loadGroundTruth();
const dir = mkdtempSync(join(tmpdir(), 'fleetqry-snmpv3-'));
const inCidr = (h: HostTruth) => Number(h.address.split('.')[3]) < 64;
type TruthUser = NonNullable<HostTruth['snmp']>['v3Users'][number];

const AUTH: Record<string, string> = {
  MD5: 'md5',
  SHA: 'sha',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
const PRIV: Record<string, string> = { DES: 'des', AES: 'aes' };

const v3Hosts = truth.hosts.filter((h) => inCidr(h) && (h.snmp?.v3Users.length ?? 0) > 0);
const users = [...new Map(v3Hosts.flatMap((h) => h.snmp!.v3Users).map((u) => [u.user, u] as const)).values()];

/** The baseline findings the truth predicts for one user on an agent that has it. */
function expected(address: string, u: TruthUser): string[] {
  const key = (rule: string) => `${rule}|${address}|udp/161|user=${u.user}`;
  const out: string[] = [];
  if (u.level === 'noAuthNoPriv' || u.noAuthAllowed) out.push(key('snmp.v3.noauth'));
  if (u.level === 'authNoPriv') out.push(key('snmp.v3.no-privacy'));
  if (u.authProtocol === 'MD5' || u.authProtocol === 'SHA') out.push(key('snmp.v3.auth-weak'));
  if (u.privProtocol === 'DES') out.push(key('snmp.v3.priv-des'));
  return out;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('flags what each v3-only lab agent accepts from the truth’s v3 users, and nothing elsewhere', async () => {
  expect(v3Hosts.length).toBeGreaterThan(0);
  const inventory = join(dir, 'inventory.yaml');
  const v3Users = users.map((u) => ({
    user: u.user,
    ...(u.authProtocol ? { authProtocol: AUTH[u.authProtocol], authKey: u.authPassword } : {}),
    ...(u.privProtocol ? { privProtocol: PRIV[u.privProtocol], privKey: u.privPassword } : {}),
  }));
  writeFileSync(
    inventory,
    JSON.stringify({
      name: 'snmpv3-test',
      targets: [`${truth.net}.0/26`],
      ports: { udp: '161' },
      snmp: { communities: ['public'], v3Users },
    }),
  );
  const r = await runCli(
    [
      'sweep',
      '--inventory',
      inventory,
      '-nr',
      '--format',
      'json',
      '--no-progress',
      '--data-dir',
      join(dir, 'store'),
    ],
    { timeoutMs: 240_000 },
  );
  if (r.stderr) throw new Error(`sweep wrote to stderr: ${r.stderr}`);
  const report = ReportSchema.parse(JSON.parse(r.stdout));
  const found = report.violations.filter((f) => f.rule.startsWith('snmp.v3.')).map((f) => f.key);
  const want = v3Hosts.flatMap((h) => h.snmp!.v3Users.flatMap((u) => expected(h.address, u)));
  expect(want.length).toBeGreaterThan(0);
  expect(found.sort()).toEqual(want.sort());
  // Keys never reach the report.
  for (const u of users) {
    if (u.authPassword) expect(r.stdout).not.toContain(u.authPassword);
    if (u.privPassword) expect(r.stdout).not.toContain(u.privPassword);
  }
}, 300_000);

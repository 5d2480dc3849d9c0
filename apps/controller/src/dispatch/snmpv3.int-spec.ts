import {
  createCredential,
  createInventory,
  createScanDefinition,
  createStore,
  type Store,
} from '@fleetqry/store';
import type { INestApplication } from '@nestjs/common';

import {
  appConfig,
  CapturingLogger,
  credentialServer,
  deleteRedisPrefix,
  dispatchConfig,
  JOB_KEY,
  loadGroundTruth,
  startController,
  startWorker,
  stopWorker,
  tempPostgres,
  uniquePrefix,
  waitFor,
  WORKER_TOKEN,
  type HostTruth,
  type WorkerProcess,
} from './testing/distributed-harness.js';

/**
 * SNMPv3 users as stored credentials through the distributed transport: the scan definition lists
 * `snmp-v3-user` credentials by id, the worker opens them (kind, sealed protocols and keys, user name),
 * asks the fleet lab's agents as each user, and the controller evaluates the baseline's v3 rules on what it
 * stored. Keys never reach Redis or Postgres; results name the user and `credential:<id>`.
 */
const truth = loadGroundTruth();
const CIDR = `${truth.net}.0/26`;
const inCidr = (a: string) => Number(a.split('.')[3]) < 64;
type TruthUser = NonNullable<HostTruth['snmp']>['v3Users'][number];
const v3Hosts = truth.hosts.filter((h) => inCidr(h.address) && (h.snmp?.v3Users.length ?? 0) > 0);
const users = [...new Map(v3Hosts.flatMap((h) => h.snmp!.v3Users).map((u) => [u.user, u])).values()];

// The lab writes Net-SNMP's spellings; credentials take the protocol names of libs/contracts.
const protocol = (name: string | undefined) => name?.toLowerCase().replace('-', '');

const prefix = uniquePrefix('v3');
let db: { url: string; drop(): Promise<void> };
let store: Store;
let controller: { nest: INestApplication; url: string };
let creds: Awaited<ReturnType<typeof credentialServer>>;
let worker: WorkerProcess | undefined;
const idOf = new Map<string, string>();

beforeAll(async () => {
  db = await tempPostgres();
  store = await createStore({ databaseUrl: db.url, migrate: true });
  const app = appConfig(db.url, prefix);
  const opened = new Map<string, { kind: 'snmp-v3-user'; secret: string; principal: string }>();
  for (const u of users) {
    const keys = {
      ...(u.authProtocol ? { authProtocol: protocol(u.authProtocol), authKey: u.authPassword } : {}),
      ...(u.privProtocol ? { privProtocol: protocol(u.privProtocol), privKey: u.privPassword } : {}),
    };
    const secret = JSON.stringify(keys);
    const c = await createCredential(store.prisma, app.credentialKey, {
      kind: 'snmp_v3_user',
      name: `v3-${u.user}`,
      principal: u.user,
      secret,
    });
    idOf.set(u.user, c.id);
    opened.set(c.id, { kind: 'snmp-v3-user', secret, principal: u.user });
  }
  creds = await credentialServer(opened);
  controller = await startController(
    app,
    dispatchConfig(prefix, { chunkProbes: 400, reconcileMs: 1000, retry: { attempts: 3, backoffMs: 200 } }),
    new CapturingLogger(),
  );
  worker = startWorker({
    REDIS_URL: 'redis://127.0.0.1:6379',
    FLEETQRY_QUEUE_PREFIX: prefix,
    FLEETQRY_CONTROLLER_URL: creds.url,
    FLEETQRY_WORKER_TOKEN: WORKER_TOKEN,
    FLEETQRY_JOB_KEY: JOB_KEY,
    FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
  });
  await waitFor('the worker', async () => worker!.output.some((l) => l.includes('worker ready')), 30_000);
}, 120_000);

afterAll(async () => {
  if (worker) await stopWorker(worker);
  await controller?.nest.close();
  await creds?.close();
  await store?.close();
  await db?.drop();
  await deleteRedisPrefix(prefix);
}, 60_000);

/** What the truth says the baseline must find for one user of one agent. */
function expectedRules(u: TruthUser): string[] {
  return [
    u.level === 'noAuthNoPriv' || u.noAuthAllowed ? 'snmp.v3.noauth' : '',
    u.level === 'authNoPriv' ? 'snmp.v3.no-privacy' : '',
    u.authProtocol === 'MD5' || u.authProtocol === 'SHA' ? 'snmp.v3.auth-weak' : '',
    u.privProtocol === 'DES' ? 'snmp.v3.priv-des' : '',
  ].filter(Boolean);
}

it('a run with v3 user credentials flags what each v3-only lab agent accepts, and stores no key', async () => {
  expect(users.length).toBeGreaterThan(0);
  const inventory = await createInventory(store.prisma, {
    name: 'inv-v3',
    document: { version: 1, targets: [CIDR], ports: { udp: '161' } },
  });
  const def = await createScanDefinition(store.prisma, {
    name: 'snmpv3-lab',
    inventoryId: inventory.id,
    credentialIds: [...idOf.values()],
    policy: 'baseline',
  });
  const res = await fetch(`${controller.url}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scanDefinitionId: def.id }),
  });
  expect(res.status).toBe(202);
  const { id: runId } = (await res.json()) as { id: string };
  const done = await waitFor(
    'the run to finish',
    async () => {
      const r = (await (await fetch(`${controller.url}/runs/${runId}`)).json()) as { status: string };
      return r.status === 'running' || r.status === 'queued' ? undefined : r;
    },
    150_000,
    500,
  );
  expect(done).toMatchObject({ status: 'succeeded' });

  const findings = await store.prisma.finding.findMany({
    where: { runId, rule: { startsWith: 'snmp.v3.' } },
  });
  const want = v3Hosts.flatMap((h) =>
    h.snmp!.v3Users.flatMap((u) => expectedRules(u).map((rule) => `${rule} ${h.address} ${u.user}`)),
  );
  expect(want.length).toBeGreaterThan(0);
  const found = findings.map((f) => `${f.rule} ${f.address} ${(f.evidence as { user: string }).user}`);
  expect(found.sort()).toEqual(want.sort());
  const evidence = findings[0]!.evidence as { credential: string; user: string };
  expect(evidence.credential).toBe(`credential:${idOf.get(evidence.user)}`);

  // Every credential was opened by the worker; no key sits in an observation or a finding.
  expect(new Set(creds.requests)).toEqual(new Set(idOf.values()));
  for (const u of users)
    for (const key of [u.authPassword, u.privPassword].filter((k): k is string => !!k)) {
      const [row] = await store.prisma.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT (SELECT count(*) FROM observations WHERE run_id = $1::uuid AND data::text LIKE $2)
              + (SELECT count(*) FROM findings WHERE run_id = $1::uuid AND evidence::text LIKE $2) AS n`,
        runId,
        `%${key}%`,
      );
      expect(Number(row!.n)).toBe(0);
    }
}, 200_000);

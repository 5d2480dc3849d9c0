/* eslint-disable @typescript-eslint/no-explicit-any -- the negative tests mutate rendered manifests in place */
/**
 * Deployment artefacts, checked with the tools users run: the Helm chart with real Helm 4 (`helm lint --strict`
 * and `helm template` of every values file in helm/fleetqry/ci/), each rendered manifest against its schema
 * (Kubernetes' OpenAPI schemas through kubernetes-models; KEDA's kinds through crd-schemas/) and the
 * structural checks of k8s-checks.ts; the KEDA Redis trigger's list against what BullMQ writes in the real
 * Redis; docker-compose.yml through `docker-compose config`; the Dockerfiles linted. Nothing here is skipped
 * under FLEETQRY_REQUIRE_DAEMONS=1 (CI, npm test). What this does not prove (a real cluster, an image build)
 * is listed in helm/fleetqry/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { QUEUES } from '@fleetqry/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parse as parseYaml } from 'yaml';

import { metricsRegistry } from '../../apps/controller/src/observability/metrics.js';
import { preconditionMet } from '../../libs/probe/src/testing/lab-daemons.js';
import { helm, helmLint, helmTemplate, type RenderedChart } from './helm.js';
import { checkManifests } from './k8s-checks.js';
import { kubernetesModelsVersion, validateManifest } from './k8s-schema.js';
import { checkComposeConfig, checkComposeSource } from './compose-checks.js';
import { checkDockerfile, checkDockerignore } from './dockerfile-checks.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chartDir = join(root, 'helm', 'fleetqry');
const ciDir = join(chartDir, 'ci');
const ciValues = readdirSync(ciDir)
  .filter((f) => f.endsWith('-values.yaml'))
  .sort();
const ci = (name: string) => join(ciDir, name);
const helmVersion = helm(['version', '--short']).trim();

type Obj = Record<string, any>;
const kinds = (r: RenderedChart): string[] =>
  r.docs.map((d) => `${String(d.object['kind'])}/${String((d.object as Obj)['metadata']?.name)}`).sort();
const find = (r: RenderedChart, kind: string, name: string): Obj =>
  r.docs.find((d) => d.object['kind'] === kind && (d.object as Obj)['metadata']?.name === name)!.object;
const workerContainer = (r: RenderedChart): Obj =>
  find(r, 'Deployment', 'fleetqry-worker')['spec'].template.spec.containers[0];

/** A values file written for one test, removed afterwards. */
function withValues<T>(text: string, fn: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'fleetqry-values-'));
  try {
    const f = join(dir, 'v.yaml');
    writeFileSync(f, text);
    return fn(f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(`helm chart (real Helm ${helmVersion})`, () => {
  test('there are values files to check (each one standalone, as chart-testing uses ci/)', () => {
    expect(ciValues).toEqual(
      expect.arrayContaining([
        'dev-values.yaml',
        'production-values.yaml',
        'keda-values.yaml',
        'keda-prometheus-values.yaml',
      ]),
    );
  });

  test.each(ciValues)('ci/%s: helm lint --strict passes', (f) => {
    expect(helmLint(chartDir, [ci(f)])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test.each(ciValues)('ci/%s: helm template renders; the structural checks pass', (f) => {
    const r = helmTemplate(chartDir, { valuesFiles: [ci(f)] });
    expect(checkManifests(r.docs, { values: r.values })).toEqual([]);
  });

  test.each(ciValues)(
    `ci/%s: every manifest validates against its schema (kubernetes-models ${kubernetesModelsVersion}, crd-schemas/)`,
    (f) => {
      const r = helmTemplate(chartDir, { valuesFiles: [ci(f)] });
      const errors = r.docs.map((d) => [d.source, validateManifest(d.object)]).filter(([, e]) => e !== null);
      expect(errors).toEqual([]);
    },
  );

  test('default values alone refuse to render without secrets, naming the value', () => {
    expect(() => helmTemplate(chartDir)).toThrow(/secrets\.databaseUrl is required/);
  });

  test.each([
    ['dev-values.yaml', 'HorizontalPodAutoscaler/fleetqry-worker'],
    ['production-values.yaml', 'HorizontalPodAutoscaler/fleetqry-worker'],
    ['keda-values.yaml', 'ScaledObject/fleetqry-worker'],
    ['keda-prometheus-values.yaml', 'ScaledObject/fleetqry-worker'],
  ])('ci/%s: renders the expected objects, with %s as the one autoscaler', (f, autoscaler) => {
    const ks = kinds(helmTemplate(chartDir, { valuesFiles: [ci(f)] }));
    for (const k of [
      'ConfigMap/fleetqry-config',
      'Deployment/fleetqry-controller',
      'Deployment/fleetqry-worker',
      'Job/fleetqry-migrate',
      'NetworkPolicy/fleetqry-controller',
      'NetworkPolicy/fleetqry-worker',
      'Service/fleetqry-controller',
      'ServiceAccount/fleetqry',
      autoscaler,
    ]) {
      expect(ks).toContain(k);
    }
    expect(ks.filter((k) => /^(HorizontalPodAutoscaler|ScaledObject)\//.test(k))).toEqual([autoscaler]);
    const pdbs = f === 'keda-prometheus-values.yaml' ? [] : ['controller', 'worker'];
    expect(ks.filter((k) => k.startsWith('PodDisruptionBudget/'))).toEqual(
      pdbs.map((c) => `PodDisruptionBudget/fleetqry-${c}`),
    );
    const existing = ['production-values.yaml', 'keda-prometheus-values.yaml'].includes(f);
    expect(ks.includes('Secret/fleetqry')).toBe(!existing);
    expect(ks.includes('Secret/fleetqry-migrate')).toBe(!existing);
  });

  test('production values: scope CIDRs are exactly the workers’ target egress; secrets come from the existing Secret', () => {
    const r = helmTemplate(chartDir, { valuesFiles: [ci('production-values.yaml')] });
    const cidrs = JSON.stringify(find(r, 'NetworkPolicy', 'fleetqry-worker')).match(/"cidr":"[^"]+"/g);
    expect(cidrs).toEqual([
      '"cidr":"10.0.5.10/32"',
      '"cidr":"10.20.0.0/16"',
      '"cidr":"10.30.4.0/24"',
      '"cidr":"2001:db8:100::/48"',
    ]);
    expect(r.docs.find((d) => d.object['kind'] === 'Job')!.text).toContain('name: fleetqry-secrets');
  });

  test('probes: startup and liveness ask /health/live, readiness /health/ready, on both Deployments', () => {
    const r = helmTemplate(chartDir, { valuesFiles: [ci('dev-values.yaml')] });
    for (const name of ['fleetqry-controller', 'fleetqry-worker']) {
      const c = find(r, 'Deployment', name)['spec'].template.spec.containers[0];
      expect([
        c.startupProbe.httpGet.path,
        c.livenessProbe.httpGet.path,
        c.readinessProbe.httpGet.path,
      ]).toEqual(['/health/live', '/health/live', '/health/ready']);
    }
  });

  test('worker.netRaw: the worker holds NET_RAW and nothing else (as uid 0, never privileged); off by default', () => {
    const on = workerContainer(
      helmTemplate(chartDir, { valuesFiles: [ci('keda-values.yaml')] }),
    ).securityContext;
    expect(on).toMatchObject({
      runAsUser: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['NET_RAW'] },
    });
    const r = helmTemplate(chartDir, { valuesFiles: [ci('dev-values.yaml')] });
    expect(workerContainer(r).securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(workerContainer(r).securityContext.runAsUser).toBeUndefined(); // the pod's uid 1000
  });

  test('a changed ConfigMap changes the pods’ checksum/config annotation (so they roll)', () => {
    const sum = (files: string[]) =>
      find(helmTemplate(chartDir, { valuesFiles: files }), 'Deployment', 'fleetqry-worker')['spec'].template
        .metadata.annotations['checksum/config'];
    const before = sum([ci('dev-values.yaml')]);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(withValues('logLevel: debug\n', (f) => sum([ci('dev-values.yaml'), f]))).not.toBe(before);
  });

  test('an empty scope allowlist leaves workers no target egress (never an unrestricted rule)', () => {
    withValues('scope:\n  allow: []\n', (f) => {
      const r = helmTemplate(chartDir, { valuesFiles: [ci('dev-values.yaml'), f] });
      expect(
        checkManifests(r.docs, { values: r.values }).filter((p) => !/differ from scope/.test(p)),
      ).toEqual([]);
      expect(JSON.stringify(find(r, 'NetworkPolicy', 'fleetqry-worker'))).not.toContain('ipBlock');
    });
  });

  test.each([
    [
      'worker:\n  probeDeadlineSeconds: 60\n  terminationGracePeriodSeconds: 60\n',
      /longer than worker\.probeDeadlineSeconds/,
    ],
    [
      "worker:\n  autoscaling:\n    scaler: keda\n    keda:\n      redis:\n        passwordKey: ''\n",
      /worker\.autoscaling\.keda\.redis\.address .* is required with the redis trigger/,
    ],
    [
      'worker:\n  autoscaling:\n    scaler: keda\n    keda:\n      redis:\n        address: redis:6379\n',
      /passwordKey: the chart's Secret holds the Redis password only as REDIS_PASSWORD/,
    ],
    [
      'worker:\n  autoscaling:\n    scaler: keda\n    keda:\n      trigger: prometheus\n',
      /prometheus\.serverAddress is required/,
    ],
  ])('%j fails the render with a message naming the value', (values, message) => {
    withValues(values, (f) =>
      expect(() => helmTemplate(chartDir, { valuesFiles: [ci('dev-values.yaml'), f] })).toThrow(message),
    );
  });

  test('values.schema.json rejects bad values (helm checks it before rendering)', () => {
    for (const bad of [
      'scope:\n  allow: ["10.0.0.0/33"]\n',
      'worker:\n  port: "3001"\n',
      'podSecurityContext:\n  runAsNonRoot: false\n  runAsUser: 0\n',
      'unknownKey: 1\n',
      'worker:\n  extraEnv:\n    - name: DATABASE_URL\n      value: x\n',
      'worker:\n  autoscaling:\n    scaler: both\n',
      'worker:\n  netRaw: "yes please"\n',
      'worker:\n  autoscaling:\n    keda:\n      trigger: cpu\n',
      'queuePrefix: "a:b"\n',
    ]) {
      withValues(bad, (f) =>
        expect(() => helmTemplate(chartDir, { valuesFiles: [ci('dev-values.yaml'), f] })).toThrow(
          /values don't meet the specifications of the schema/,
        ),
      );
    }
  });

  test('the structural checks catch broken manifests (they are not vacuous)', () => {
    const r = helmTemplate(chartDir, { valuesFiles: [ci('dev-values.yaml')] });
    const mutate = (edit: (o: Obj) => void, extra: Obj[] = []) => {
      const docs = r.docs.map((d) => ({ ...d, object: structuredClone(d.object) }));
      for (const d of docs) edit(d.object);
      for (const o of extra) docs.push({ source: 'test', text: '', object: o });
      return checkManifests(docs, { values: r.values });
    };
    const worker = (o: Obj) => o['kind'] === 'Deployment' && o['metadata'].name === 'fleetqry-worker';
    const controller = (o: Obj) => o['kind'] === 'Deployment' && o['metadata'].name === 'fleetqry-controller';
    const cases: [(o: Obj) => unknown, RegExp, Obj[]?][] = [
      [
        (o) =>
          worker(o) && (o['spec'].template.spec.containers[0].securityContext.readOnlyRootFilesystem = false),
        /readOnlyRootFilesystem/,
      ],
      [(o) => worker(o) && (o['spec'].template.spec.terminationGracePeriodSeconds = 30), /deadline/],
      [
        (o) =>
          worker(o) && o['spec'].template.spec.containers[0].env.push({ name: 'DATABASE_URL', value: 'x' }),
        /must not receive DATABASE_URL/,
      ],
      [
        (o) =>
          o['kind'] === 'HorizontalPodAutoscaler' && (o['spec'].scaleTargetRef.name = 'fleetqry-controller'),
        /scaleTargetRef/,
      ],
      [(o) => o['kind'] === 'Job' && delete o['metadata'].annotations['helm.sh/hook'], /hook/],
      [
        (o) =>
          o['kind'] === 'NetworkPolicy' &&
          o['metadata'].name === 'fleetqry-worker' &&
          o['spec'].egress.push({ ports: [{ port: 25 }] }),
        /without "to"/,
      ],
      [
        (o) => o['kind'] === 'Service' && (o['spec'].selector['app.kubernetes.io/component'] = 'nope'),
        /selector matches no pod/,
      ],
      [(o) => worker(o) && (o['spec'].replicas = 3), /replicas while autoscaled/],
      [
        (o) => o['kind'] === 'ConfigMap' && (o['data'].FLEETQRY_QUEUE_PREFIX = 'bull'),
        /FLEETQRY_QUEUE_PREFIX differs/,
      ],
      [
        (o) =>
          controller(o) &&
          (o['spec'].template.spec.containers[0].startupProbe.httpGet.path = '/health/ready'),
        /startupProbe path \/health\/ready is not \/health\/live/,
      ],
      [(o) => worker(o) && delete o['spec'].template.spec.containers[0].startupProbe, /no startupProbe/],
      [
        (o) =>
          o['kind'] === 'PodDisruptionBudget' &&
          o['metadata'].name === 'fleetqry-worker' &&
          (o['spec'].selector.matchLabels['app.kubernetes.io/component'] = 'controller'),
        /controller: 2 PodDisruptionBudgets/,
      ],
      [
        (o) =>
          o['kind'] === 'PodDisruptionBudget' &&
          o['metadata'].name === 'fleetqry-worker' &&
          (o['spec'].minAvailable = 2) &&
          delete o['spec'].maxUnavailable,
        /minAvailable 2 ≥ replicas 2 blocks every drain/,
      ],
      [
        (o) =>
          controller(o) &&
          (o['spec'].template.spec.containers[0].securityContext.capabilities.add = ['NET_RAW']),
        /adds capabilities \[NET_RAW\] \(none expected\)/,
      ],
      [
        () => undefined,
        /more than one autoscaler/,
        [
          {
            apiVersion: 'keda.sh/v1alpha1',
            kind: 'ScaledObject',
            metadata: { name: 'x' },
            spec: {
              scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'fleetqry-worker' },
              minReplicaCount: 1,
              maxReplicaCount: 2,
              triggers: [{ type: 'redis', metadata: { listName: 'fleetqry:probe:wait' } }],
            },
          },
        ],
      ],
    ];
    for (const [edit, message, extra] of cases)
      expect(mutate(edit, extra)).toContainEqual(expect.stringMatching(message));
  });

  test('the KEDA checks catch a wrong list, a non-string trigger field and a missing Secret key', () => {
    const r = helmTemplate(chartDir, { valuesFiles: [ci('keda-values.yaml')] });
    const mutate = (edit: (o: Obj) => unknown) => {
      const docs = r.docs.map((d) => ({ ...d, object: structuredClone(d.object) }));
      for (const d of docs) edit(d.object);
      return checkManifests(docs, { values: r.values });
    };
    const so = (o: Obj) => o['kind'] === 'ScaledObject';
    expect(
      mutate((o) => so(o) && (o['spec'].triggers[0].metadata.listName = 'bull:probe:wait')),
    ).toContainEqual(expect.stringMatching(/listName bull:probe:wait is not fleetqry-scan:probe:wait/));
    expect(mutate((o) => so(o) && (o['spec'].triggers[0].metadata.listLength = 4))).toContainEqual(
      expect.stringMatching(/metadata listLength is not a string/),
    );
    expect(
      mutate(
        (o) => o['kind'] === 'TriggerAuthentication' && (o['spec'].secretTargetRef[0].key = 'REDIS_PASS'),
      ),
    ).toContainEqual(expect.stringMatching(/Secret fleetqry has no key REDIS_PASS/));
    expect(mutate((o) => so(o) && (o['spec'].scaleTargetRef.name = 'fleetqry-controller'))).toContainEqual(
      expect.stringMatching(/ScaledObject\/fleetqry-worker: scaleTargetRef is not the worker Deployment/),
    );
  });

  test('the schemas reject a wrongly typed field, in a built-in kind and in a KEDA kind', () => {
    const r = helmTemplate(chartDir, { valuesFiles: [ci('keda-values.yaml')] });
    const deployment = structuredClone(find(r, 'Deployment', 'fleetqry-controller'));
    deployment['spec'].template.spec.containers[0].ports[0].containerPort = '3000';
    expect(validateManifest(deployment)).toMatch(/containerPort/);
    const so = structuredClone(find(r, 'ScaledObject', 'fleetqry-worker'));
    so['spec'].triggers[0].metadata.listLength = 4;
    expect(validateManifest(so)).toMatch(/metadata\['listLength'\] should be string/);
    const typo = structuredClone(find(r, 'ScaledObject', 'fleetqry-worker'));
    typo['spec'].maxReplicas = 4;
    expect(validateManifest(typo)).toMatch(/additional properties/);
    const ta = structuredClone(find(r, 'TriggerAuthentication', 'fleetqry-worker-redis'));
    delete ta['spec'].secretTargetRef[0].key;
    expect(validateManifest(ta)).toMatch(/key/);
    expect(
      validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    ).toMatch(/no schema for example\.com\/v1 Widget/);
  });

  test('the KEDA Redis trigger watches the list BullMQ keeps waiting probe chunks in (real Redis)', async () => {
    const prefix = `fqtest-helm-${process.pid}`;
    const r = withValues(`queuePrefix: ${prefix}\n`, (f) =>
      helmTemplate(chartDir, { valuesFiles: [ci('keda-values.yaml'), f] }),
    );
    const listName = find(r, 'ScaledObject', 'fleetqry-worker')['spec'].triggers[0].metadata
      .listName as string;
    expect(find(r, 'ConfigMap', 'fleetqry-config')['data'].FLEETQRY_QUEUE_PREFIX).toBe(prefix);
    const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
    const queue = new Queue(QUEUES.probe, { connection, prefix });
    const redis = new Redis(connection);
    try {
      await queue.addBulk(
        [1, 2, 3].map((i) => ({ name: 'probe-chunk', data: { i }, opts: { jobId: `c.${i}` } })),
      );
      expect(await queue.getWaitingCount()).toBe(3);
      expect(await redis.type(listName)).toBe('list');
      expect(await redis.llen(listName)).toBe(3);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    }
  });

  test('the KEDA Prometheus trigger queries a gauge the controller exports, with the labels it sets', async () => {
    const r = helmTemplate(chartDir, { valuesFiles: [ci('keda-prometheus-values.yaml')] });
    const query = find(r, 'ScaledObject', 'fleetqry-worker')['spec'].triggers[0].metadata.query as string;
    const [, name, matchers] = /\b([a-z_]+)\{([^}]*)\}/.exec(query)!;
    const metric = metricsRegistry.getSingleMetric(name!);
    expect(metric).toBeDefined();
    expect(String((await metric!.get()).type)).toBe('gauge');
    const labels = (metric as unknown as { labelNames: string[] }).labelNames;
    for (const m of matchers!.matchAll(/([a-z_]+)="/g))
      if (m[1] !== 'namespace') expect(labels).toContain(m[1]); // namespace: added by the scrape
  });
});

/**
 * The chart's monitoring: the Grafana dashboard and the PrometheusRule (both optional; on in production values).
 * The rule groups are taken from the rendered PrometheusRule and checked by promtool: `check rules`, and
 * `test rules` with the unit tests of helm/fleetqry/monitoring/alerts.test.yaml. That every metric the dashboard
 * and the rules read is exported by the running apps is checked by apps/controller/src/e2e/conformance.int-spec.ts.
 */
describe('monitoring: Grafana dashboard and PrometheusRule', () => {
  const monitoringDir = join(chartDir, 'monitoring');
  const prod = () => helmTemplate(chartDir, { valuesFiles: [ci('production-values.yaml')] });

  test('off by default: neither object is rendered', () => {
    const ks = kinds(helmTemplate(chartDir, { valuesFiles: [ci('dev-values.yaml')] }));
    expect(ks.filter((k) => k.startsWith('PrometheusRule/') || k === 'ConfigMap/fleetqry-dashboard')).toEqual(
      [],
    );
  });

  test('the dashboard ConfigMap carries the sidecar label and the dashboard, unchanged', () => {
    const cm = find(prod(), 'ConfigMap', 'fleetqry-dashboard');
    expect(cm['metadata'].labels).toMatchObject({
      grafana_dashboard: '1',
      'app.kubernetes.io/name': 'fleetqry',
    });
    expect(cm['metadata'].annotations).toEqual({ grafana_folder: 'Security' });
    const shipped = JSON.parse(readFileSync(join(monitoringDir, 'dashboard.json'), 'utf8'));
    expect(JSON.parse(cm['data']['fleetqry.json'])).toEqual(shipped);
    // Every query goes to the dashboard's data source variable, so the dashboard imports into any Grafana.
    const panels = (shipped.panels as Obj[]).filter((p) => p['type'] !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const p of panels)
      expect([p['title'], p['datasource']]).toEqual([
        p['title'],
        { type: 'prometheus', uid: '${datasource}' },
      ]);
    expect(new Set((shipped.panels as Obj[]).map((p) => p['id'])).size).toBe(shipped.panels.length);
  });

  test('the PrometheusRule schema (crd-schemas/) rejects a mistyped duration and a misspelt field', () => {
    const rule = find(prod(), 'PrometheusRule', 'fleetqry');
    expect(validateManifest(rule)).toBeNull();
    const mistyped = structuredClone(rule);
    mistyped['spec'].groups[0].rules[1].for = '15 minutes';
    expect(validateManifest(mistyped)).toMatch(/for/);
    const typo = structuredClone(rule);
    typo['spec'].groups[0].rules[0].annotation = typo['spec'].groups[0].rules[0].annotations;
    expect(validateManifest(typo)).toMatch(/additional properties/);
  });

  describe('the rendered PrometheusRule', () => {
    let dir: string;
    beforeAll(() => {
      const rule = find(prod(), 'PrometheusRule', 'fleetqry');
      expect(rule['metadata'].labels).toMatchObject({ release: 'kube-prometheus-stack' });
      dir = mkdtempSync(join(tmpdir(), 'fleetqry-rules-'));
      // Named as alerts.test.yaml's rule_files names them.
      writeFileSync(join(dir, 'alerts.yaml'), JSON.stringify({ groups: rule['spec'].groups }));
      writeFileSync(join(dir, 'alerts.test.yaml'), readFileSync(join(monitoringDir, 'alerts.test.yaml')));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const promtool = (...args: string[]) => {
      const r = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
      if (r.error) throw new Error(`promtool did not run (Debian's prometheus package): ${r.error.message}`);
      return { code: r.status, out: `${r.stdout}${r.stderr}` };
    };

    test('promtool check rules: the alerts of the runbook are there and valid', () => {
      const r = promtool('check', 'rules', 'alerts.yaml');
      expect(r.out).toMatch(/SUCCESS: 6 rules found/);
      expect(r.code).toBe(0);
      const alerts = (parseYaml(readFileSync(join(dir, 'alerts.yaml'), 'utf8')) as Obj)['groups'].flatMap(
        (g: Obj) => g['rules'].map((x: Obj) => x['alert']),
      );
      expect(alerts).toEqual(
        expect.arrayContaining(['FleetqryRunsFailing', 'FleetqryQueueBackingUp', 'FleetqryWorkersDown']),
      );
    });

    test('promtool test rules: every alert fires when it should and only then', () => {
      const r = promtool('test', 'rules', 'alerts.test.yaml');
      expect(r.out).toMatch(/SUCCESS/);
      expect(r.code).toBe(0);
    });

    test('promtool test rules can fail: a threshold off by one breaks its unit test', () => {
      const broken = readFileSync(join(dir, 'alerts.yaml'), 'utf8').replace('> 100', '> 150');
      writeFileSync(join(dir, 'broken.yaml'), broken);
      writeFileSync(
        join(dir, 'broken.test.yaml'),
        readFileSync(join(dir, 'alerts.test.yaml'), 'utf8').replace('- alerts.yaml', '- broken.yaml'),
      );
      const r = promtool('test', 'rules', 'broken.test.yaml');
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/alertname: FleetqryQueueBackingUp/);
    });
  });
});

describe('docker-compose.yml', () => {
  const composeFile = join(root, 'docker-compose.yml');
  const text = readFileSync(composeFile, 'utf8');
  const raw = () => parseYaml(text) as Record<string, any>;

  test('secrets only as compose secrets (<NAME>_FILE, never environment or interpolation); the five services exist', () => {
    expect(checkComposeSource(raw(), text)).toEqual([]);
  });

  test('the source check catches a secret in the environment, an interpolated one and an unmounted file', () => {
    const interpolated = text.replace(
      'FLEETQRY_JOB_KEY_FILE: /run/secrets/job_key\n      FLEETQRY_JOB_KEY_PREVIOUS_FILE',
      'FLEETQRY_JOB_KEY: ${FLEETQRY_JOB_KEY:?set it}\n      FLEETQRY_JOB_KEY_PREVIOUS_FILE',
    );
    expect(interpolated).not.toBe(text);
    const p = checkComposeSource(parseYaml(interpolated) as Record<string, unknown>, interpolated);
    expect(p).toContainEqual(
      expect.stringMatching(/FLEETQRY_JOB_KEY in environment \(use FLEETQRY_JOB_KEY_FILE/),
    );
    expect(p).toContainEqual(expect.stringMatching(/\$\{FLEETQRY_JOB_KEY\} interpolated/));
    const unmounted = raw();
    unmounted['services'].worker.secrets = ['redis_url'];
    expect(checkComposeSource(unmounted, text)).toContainEqual(
      expect.stringMatching(
        /worker: FLEETQRY_WORKER_TOKEN_FILE is not \/run\/secrets\/<a secret the service mounts>/,
      ),
    );
  });

  const haveCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
  // Under FLEETQRY_REQUIRE_DAEMONS=1 a missing docker-compose fails here rather than skipping.
  const composeTest =
    process.env['FLEETQRY_REQUIRE_DEPLOY_TOOLS'] === '1' ||
    preconditionMet('docker-compose config', haveCompose ? undefined : 'docker-compose is not installed')
      ? test
      : test.skip;
  const compose = (envText: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-compose-'));
    try {
      writeFileSync(join(dir, '.env'), envText);
      return spawnSync('docker-compose', ['-f', composeFile, '--env-file', join(dir, '.env'), 'config'], {
        encoding: 'utf8',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  composeTest(
    `docker-compose config accepts it and it resolves as intended${haveCompose ? '' : ' (docker-compose not installed)'}`,
    () => {
      const r = compose('FLEETQRY_SCOPE_ALLOW=10.0.0.0/8\n');
      expect(r.stderr).not.toMatch(/ERROR/);
      expect(r.status).toBe(0);
      const cfg = parseYaml(r.stdout) as Record<string, any>;
      expect(checkComposeConfig(cfg)).toEqual([]);
      expect(cfg['services'].worker.environment.FLEETQRY_SCOPE_ALLOW).toBe('10.0.0.0/8');
    },
  );

  composeTest('docker-compose config refuses to run without FLEETQRY_SCOPE_ALLOW, naming it', () => {
    const r = compose('FLEETQRY_LOG_LEVEL=info\n');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('FLEETQRY_SCOPE_ALLOW');
  });
});

describe('Dockerfiles (structural lint; not built here: no Docker engine)', () => {
  test.each(['controller', 'worker'] as const)('apps/%s/Dockerfile', (app) => {
    expect(checkDockerfile(readFileSync(join(root, 'apps', app, 'Dockerfile'), 'utf8'), app)).toEqual([]);
  });
  test('the lint catches a root user, a baked secret and a single stage', () => {
    const bad =
      'FROM node:20-bookworm-slim\nENV FLEETQRY_ADMIN_TOKEN=fq_x\nRUN npm install\nCMD node apps/worker/dist/main.js\n';
    const p = checkDockerfile(bad, 'worker').join('\n');
    for (const m of [
      'not multi-stage',
      'runs as root',
      'secret-like',
      'exec form',
      'no HEALTHCHECK',
      'no STOPSIGNAL',
    ])
      expect(p).toContain(m);
  });
  test('.dockerignore keeps installs, builds, VCS data and .env files out', () => {
    expect(checkDockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'))).toEqual([]);
  });
});

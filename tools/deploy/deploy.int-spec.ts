/* eslint-disable @typescript-eslint/no-explicit-any -- the negative tests mutate rendered manifests in place */
/**
 * Deployment artefacts: the Helm chart rendered by helm-lite (no Helm binary is reachable here) and checked
 * structurally and, when kubernetes-models is available, against the Kubernetes OpenAPI schemas; the
 * docker-compose file checked as written and as `docker-compose config` resolves it; the Dockerfiles linted.
 * What this does not prove (a real cluster, a real `helm install`, an image build) is listed in
 * helm/fleetqry/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parse as parseYaml } from 'yaml';

import { renderChart, type RenderedChart } from './helm-lite/chart.js';
import { checkManifests } from './k8s-checks.js';
import { loadSchemaValidator } from './k8s-schema.js';
import { checkComposeConfig, checkComposeSource } from './compose-checks.js';
import { checkDockerfile, checkDockerignore } from './dockerfile-checks.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chartDir = join(root, 'helm', 'fleetqry');
const devValues = join(chartDir, 'ci', 'dev-values.yaml');
const prodValues = join(chartDir, 'ci', 'production-values.yaml');

const variants: [string, string[]][] = [
  ['defaults + required secrets', [devValues]],
  ['production-like values', [prodValues]],
];

function kinds(r: RenderedChart): string[] {
  return r.docs
    .map(
      (d) =>
        `${String(d.object['kind'])}/${String((d.object['metadata'] as Record<string, unknown>)['name'])}`,
    )
    .sort();
}

describe('helm chart (rendered by helm-lite)', () => {
  test('default values alone refuse to render without secrets, naming the value', () => {
    expect(() => renderChart(chartDir)).toThrow(/secrets\.databaseUrl is required/);
  });

  test.each(variants)('%s: renders the expected objects', (_name, files) => {
    const r = renderChart(chartDir, { valuesFiles: files });
    const ks = kinds(r);
    for (const k of [
      'ConfigMap/fleetqry-config',
      'Deployment/fleetqry-controller',
      'Deployment/fleetqry-worker',
      'HorizontalPodAutoscaler/fleetqry-worker',
      'Job/fleetqry-migrate',
      'NetworkPolicy/fleetqry-controller',
      'NetworkPolicy/fleetqry-worker',
      'PodDisruptionBudget/fleetqry-controller',
      'Service/fleetqry-controller',
      'ServiceAccount/fleetqry',
    ]) {
      expect(ks).toContain(k);
    }
    const usesExisting = files.includes(prodValues);
    expect(ks.includes('Secret/fleetqry')).toBe(!usesExisting);
    expect(ks.includes('Secret/fleetqry-migrate')).toBe(!usesExisting);
  });

  test.each(variants)('%s: passes the structural checks', (_name, files) => {
    const r = renderChart(chartDir, { valuesFiles: files });
    expect(checkManifests(r.docs, { values: r.values })).toEqual([]);
  });

  test('production values: scope CIDRs are exactly the workers’ target egress; secrets come from the existing Secret', () => {
    const r = renderChart(chartDir, { valuesFiles: [prodValues] });
    const wnp = r.docs.find(
      (d) => d.object['kind'] === 'NetworkPolicy' && d.text.includes('fleetqry-worker'),
    )!.object;
    const cidrs = JSON.stringify(wnp).match(/"cidr":"[^"]+"/g);
    expect(cidrs).toEqual([
      '"cidr":"10.0.5.10/32"',
      '"cidr":"10.20.0.0/16"',
      '"cidr":"10.30.4.0/24"',
      '"cidr":"2001:db8:100::/48"',
    ]);
    const job = r.docs.find((d) => d.object['kind'] === 'Job')!;
    expect(job.text).toContain('name: fleetqry-secrets');
  });

  test('an empty scope allowlist leaves workers no target egress (never an unrestricted rule)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-values-'));
    try {
      const f = join(dir, 'v.yaml');
      writeFileSync(f, 'scope:\n  allow: []\n');
      const r = renderChart(chartDir, { valuesFiles: [devValues, f] });
      expect(
        checkManifests(r.docs, { values: r.values }).filter((p) => !/differ from scope/.test(p)),
      ).toEqual([]);
      expect(r.files.get('templates/networkpolicy.yaml')).not.toContain('ipBlock');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a grace period not longer than the probe deadline fails the render', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-values-'));
    try {
      const f = join(dir, 'v.yaml');
      writeFileSync(f, 'worker:\n  probeDeadlineSeconds: 60\n  terminationGracePeriodSeconds: 60\n');
      expect(() => renderChart(chartDir, { valuesFiles: [devValues, f] })).toThrow(
        /longer than worker\.probeDeadlineSeconds/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('values.schema.json rejects bad values (as helm does before rendering)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-values-'));
    try {
      for (const bad of [
        'scope:\n  allow: ["10.0.0.0/33"]\n',
        'worker:\n  port: "3001"\n',
        'podSecurityContext:\n  runAsNonRoot: false\n  runAsUser: 0\n',
        'unknownKey: 1\n',
        'worker:\n  extraEnv:\n    - name: DATABASE_URL\n      value: x\n',
      ]) {
        const f = join(dir, 'v.yaml');
        writeFileSync(f, bad);
        expect(() => renderChart(chartDir, { valuesFiles: [devValues, f] })).toThrow(/schema/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the structural checks catch broken manifests (they are not vacuous)', () => {
    const r = renderChart(chartDir, { valuesFiles: [devValues] });
    const mutate = (edit: (o: Record<string, any>) => void) => {
      const docs = r.docs.map((d) => ({ ...d, object: structuredClone(d.object) }));
      for (const d of docs) edit(d.object);
      return checkManifests(docs, { values: r.values });
    };
    const worker = (o: Record<string, any>) =>
      o['kind'] === 'Deployment' && o['metadata'].name === 'fleetqry-worker';
    expect(
      mutate(
        (o) =>
          worker(o) && (o['spec'].template.spec.containers[0].securityContext.readOnlyRootFilesystem = false),
      ),
    ).toContainEqual(expect.stringMatching(/readOnlyRootFilesystem/));
    expect(
      mutate((o) => worker(o) && (o['spec'].template.spec.terminationGracePeriodSeconds = 30)),
    ).toContainEqual(expect.stringMatching(/deadline/));
    expect(
      mutate(
        (o) =>
          worker(o) && o['spec'].template.spec.containers[0].env.push({ name: 'DATABASE_URL', value: 'x' }),
      ),
    ).toContainEqual(expect.stringMatching(/must not receive DATABASE_URL/));
    expect(
      mutate(
        (o) =>
          o['kind'] === 'HorizontalPodAutoscaler' && (o['spec'].scaleTargetRef.name = 'fleetqry-controller'),
      ),
    ).toContainEqual(expect.stringMatching(/scaleTargetRef/));
    expect(
      mutate((o) => o['kind'] === 'Job' && delete o['metadata'].annotations['helm.sh/hook']),
    ).toContainEqual(expect.stringMatching(/hook/));
    expect(
      mutate(
        (o) =>
          o['kind'] === 'NetworkPolicy' &&
          o['metadata'].name === 'fleetqry-worker' &&
          o['spec'].egress.push({ ports: [{ port: 25 }] }),
      ),
    ).toContainEqual(expect.stringMatching(/without "to"/));
    expect(
      mutate((o) => o['kind'] === 'Service' && (o['spec'].selector['app.kubernetes.io/component'] = 'nope')),
    ).toContainEqual(expect.stringMatching(/selector matches no pod/));
    expect(mutate((o) => worker(o) && (o['spec'].replicas = 3))).toContainEqual(
      expect.stringMatching(/replicas while autoscaled/),
    );
  });
});

const schema = await loadSchemaValidator();
const schemaTest = 'validate' in schema ? test : test.skip;
describe(`Kubernetes OpenAPI schemas (${'validate' in schema ? schema.from : `skipped: ${schema.reason}`})`, () => {
  schemaTest.each(variants)('%s: every manifest validates', async (_name, files) => {
    if (!('validate' in schema)) return;
    const r = renderChart(chartDir, { valuesFiles: files });
    const errors: string[] = [];
    for (const d of r.docs) {
      const e = await schema.validate(d.object);
      if (e) errors.push(`${d.source}: ${e}`);
    }
    expect(errors).toEqual([]);
  });
  schemaTest('the schema validator rejects a wrongly typed field', async () => {
    if (!('validate' in schema)) return;
    const r = renderChart(chartDir, { valuesFiles: [devValues] });
    const d = structuredClone(r.docs.find((x) => x.object['kind'] === 'Deployment')!.object) as Record<
      string,
      any
    >;
    d['spec'].template.spec.containers[0].ports[0].containerPort = '3000';
    expect(await schema.validate(d)).toMatch(/containerPort/);
  });
});

describe('docker-compose.yml', () => {
  const composeFile = join(root, 'docker-compose.yml');
  const text = readFileSync(composeFile, 'utf8');

  test('secrets only through required variables; the five services exist', () => {
    expect(checkComposeSource(parseYaml(text) as Record<string, unknown>, text)).toEqual([]);
  });

  const haveCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
  const composeTest = haveCompose || process.env['FLEETQRY_REQUIRE_DEPLOY_TOOLS'] === '1' ? test : test.skip;
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
  const env = [
    'POSTGRES_PASSWORD=pg-test-password',
    'REDIS_PASSWORD=redis-test-password',
    'FLEETQRY_ADMIN_TOKEN=fq_0123456789abcdefghijklmnopqrstuvwxyzABCD',
    'FLEETQRY_CREDENTIAL_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
    'FLEETQRY_WORKER_TOKEN=test-worker-token-0123456789abcdefghij',
    'FLEETQRY_JOB_KEY=test-job-key-0123456789abcdefghijklmnop',
    'FLEETQRY_SCOPE_ALLOW=10.0.0.0/8',
  ];

  composeTest(
    `docker-compose config accepts it and it resolves as intended${haveCompose ? '' : ' (docker-compose not installed)'}`,
    () => {
      const r = compose(env.join('\n') + '\n');
      expect(r.stderr).not.toMatch(/ERROR/);
      expect(r.status).toBe(0);
      expect(checkComposeConfig(parseYaml(r.stdout) as Record<string, unknown>)).toEqual([]);
    },
  );

  composeTest('docker-compose config refuses to run without each required secret', () => {
    for (const drop of [
      'POSTGRES_PASSWORD',
      'REDIS_PASSWORD',
      'FLEETQRY_ADMIN_TOKEN',
      'FLEETQRY_CREDENTIAL_KEY',
      'FLEETQRY_WORKER_TOKEN',
      'FLEETQRY_JOB_KEY',
      'FLEETQRY_SCOPE_ALLOW',
    ]) {
      const r = compose(env.filter((l) => !l.startsWith(`${drop}=`)).join('\n') + '\n');
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(drop);
    }
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

/** Structural checks of docker-compose.yml (as written, and as `docker-compose config` resolves it). */
import { SECRET_ENV_NAMES } from '@fleetqry/contracts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Every variable that holds a secret: the apps' (each may come as <NAME>_FILE) and the data services'. */
const SECRET_NAMES: readonly string[] = [...SECRET_ENV_NAMES, 'POSTGRES_PASSWORD', 'REDIS_PASSWORD'];

function envOf(s: Obj): Obj {
  const e = s['environment'];
  if (Array.isArray(e)) return Object.fromEntries(e.map((x) => String(x).split(/=(.*)/s).slice(0, 2)));
  return obj(e);
}

/** The compose secrets a service mounts (short or long syntax). */
function secretsOf(s: Obj): string[] {
  return arr(s['secrets']).map((x) => (typeof x === 'string' ? x : String(obj(x)['source'])));
}

/**
 * `raw`: the file parsed as YAML (before interpolation). Secrets are compose secrets only: no secret variable
 * is set or interpolated anywhere; each `<NAME>_FILE` points at /run/secrets/<secret> of a secret the service
 * mounts, defined as a file under ./secrets/.
 */
export function checkComposeSource(raw: Obj, text: string): string[] {
  const problems: string[] = [];
  const services = obj(raw['services']);
  for (const name of ['postgres', 'redis', 'migrate', 'controller', 'worker']) {
    if (!(name in services)) problems.push(`service ${name} missing`);
  }
  const defined = obj(raw['secrets']);
  for (const [name, d] of Object.entries(defined)) {
    if (obj(d)['file'] !== `./secrets/${name}`)
      problems.push(`secret ${name} is not the file ./secrets/${name}`);
  }
  for (const [sname, s] of Object.entries(services)) {
    const mounted = secretsOf(obj(s));
    for (const m of mounted) if (!(m in defined)) problems.push(`${sname}: secret ${m} is not defined`);
    for (const [k, val] of Object.entries(envOf(obj(s)))) {
      if (SECRET_NAMES.includes(k))
        problems.push(`${sname}: ${k} in environment (use ${k}_FILE and a secret)`);
      const fileOf = /^(.*)_FILE$/.exec(k)?.[1];
      if (fileOf && SECRET_NAMES.includes(fileOf)) {
        const secret = /^\/run\/secrets\/([a-z0-9_]+)$/.exec(String(val))?.[1];
        if (!secret || !mounted.includes(secret))
          problems.push(`${sname}: ${k} is not /run/secrets/<a secret the service mounts>`);
      }
    }
  }
  const uncommented = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
  for (const m of uncommented.matchAll(/\$\{([A-Z0-9_]+)[^}]*\}/g))
    if (SECRET_NAMES.includes(m[1]!))
      problems.push(`\${${m[1]!}} interpolated: a secret would enter the file`);
  const literal = uncommented
    .split('\n')
    .map((l) => l.replace(/\$\{[^}]+\}|\/run\/secrets\/\w+/g, ''))
    .find((l) => /(password|token|secret|_key)[^:=\s]*\s*[:=][ \t]*['"]?[A-Za-z0-9+/_-]{6,}/i.test(l));
  if (literal) problems.push(`a literal secret in the file: ${literal.trim()}`);
  return problems;
}

/** `cfg`: the output of `docker-compose config` (interpolated, merged). */
export function checkComposeConfig(cfg: Obj): string[] {
  const problems: string[] = [];
  const services = obj(cfg['services']);
  const svc = (n: string) => obj(services[n]);
  const pg = svc('postgres');
  if (!/^postgres:16/.test(String(pg['image']))) problems.push('postgres is not version 16');
  if (arr(obj(pg['healthcheck'])['test']).length === 0) problems.push('postgres has no healthcheck');
  const redis = svc('redis');
  const cmd =
    arr(redis['command']).join(' ') + String(typeof redis['command'] === 'string' ? redis['command'] : '');
  if (!/--maxmemory-policy noeviction/.test(cmd)) problems.push('redis is not noeviction');
  if (!/--appendonly yes/.test(cmd)) problems.push('redis has no AOF');
  if (arr(obj(redis['healthcheck'])['test']).length === 0) problems.push('redis has no healthcheck');
  const migrate = svc('migrate');
  if (!arr(migrate['command']).join(' ').includes('libs/store/dist/migrator/cli.js'))
    problems.push('migrate does not run the migrator');
  if (!envOf(migrate)['DATABASE_URL_FILE']) problems.push('migrate has no DATABASE_URL_FILE');
  if (!envOf(pg)['POSTGRES_PASSWORD_FILE']) problems.push('postgres has no POSTGRES_PASSWORD_FILE');
  if (obj(obj(migrate['depends_on'])['postgres'])['condition'] !== 'service_healthy')
    problems.push('migrate does not wait for postgres');
  const controller = svc('controller');
  if (obj(obj(controller['depends_on'])['migrate'])['condition'] !== 'service_completed_successfully') {
    problems.push('controller does not wait for a successful migration');
  }
  if (!JSON.stringify(obj(controller['healthcheck'])['test'] ?? '').includes('/health/ready'))
    problems.push('controller healthcheck is not /health/ready');
  const cports = arr(controller['ports']).map((p) =>
    typeof p === 'string' ? p : `${String(obj(p)['published'])}:${String(obj(p)['target'])}`,
  );
  if (!cports.some((p) => /:3000$/.test(p))) problems.push('controller port 3000 not published');
  for (const k of [
    'DATABASE_URL_FILE',
    'REDIS_URL_FILE',
    'FLEETQRY_ADMIN_TOKEN_FILE',
    'FLEETQRY_CREDENTIAL_KEY_FILE',
    'FLEETQRY_JOB_KEY_FILE',
    'FLEETQRY_SCOPE_ALLOW',
  ]) {
    if (!envOf(controller)[k]) problems.push(`controller lacks ${k}`);
  }
  const worker = svc('worker');
  const replicas = obj(worker['deploy'])['replicas'] ?? worker['scale'];
  if (Number(replicas) < 3) problems.push('worker has fewer than 3 replicas');
  const wenv = envOf(worker);
  for (const k of ['DATABASE_URL', 'FLEETQRY_CREDENTIAL_KEY', 'FLEETQRY_ADMIN_TOKEN']) {
    if (k in wenv || `${k}_FILE` in wenv) problems.push(`worker must not get ${k}`);
  }
  for (const secret of ['database_url', 'postgres_password', 'credential_key', 'admin_token'])
    if (secretsOf(worker).includes(secret)) problems.push(`worker must not mount the secret ${secret}`);
  for (const k of [
    'REDIS_URL_FILE',
    'FLEETQRY_WORKER_TOKEN_FILE',
    'FLEETQRY_JOB_KEY_FILE',
    'FLEETQRY_SCOPE_ALLOW',
    'FLEETQRY_CONTROLLER_URL',
  ])
    if (!wenv[k]) problems.push(`worker lacks ${k}`);
  if ('ports' in worker) problems.push('worker publishes ports (replicas would clash)');
  if ('container_name' in worker) problems.push('worker has a container_name (replicas would clash)');
  const wnets = Object.keys(obj(worker['networks'])).concat(arr(worker['networks']).map(String));
  const pnets = Object.keys(obj(pg['networks'])).concat(arr(pg['networks']).map(String));
  if (wnets.some((n) => pnets.includes(n))) problems.push('workers share a network with postgres');
  for (const n of ['migrate', 'controller', 'worker']) {
    const s = svc(n);
    if (!arr(s['cap_drop']).includes('ALL')) problems.push(`${n}: capabilities not dropped`);
    if (arr(s['cap_add']).length > 0) problems.push(`${n}: adds capabilities`);
    if (s['read_only'] !== true) problems.push(`${n}: root filesystem not read-only`);
    if (s['privileged'] === true) problems.push(`${n}: privileged`);
  }
  for (const [n, s] of Object.entries(services)) {
    const limits = obj(obj(obj(s)['deploy'])['resources'])['limits'];
    if (!obj(limits)['memory'] || !obj(limits)['cpus']) problems.push(`${n}: no cpu/memory limits`);
    // A secret's value on a command line is visible to every process listing (ps, /proc).
    const argv = JSON.stringify([obj(s)['command'] ?? '', obj(s)['entrypoint'] ?? '']);
    for (const k of Object.keys(envOf(obj(s))))
      if (SECRET_NAMES.includes(k)) problems.push(`${n}: ${k} in the environment, not a secret file`);
    if (/--requirepass|redis-cli[^"]* -a /.test(argv + JSON.stringify(obj(s)['healthcheck'] ?? '')))
      problems.push(`${n}: a password passed as an argument`);
  }
  return problems;
}

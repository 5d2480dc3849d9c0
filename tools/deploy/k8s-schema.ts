/**
 * Schema validation of rendered manifests. Built-in kinds: the validators the devDependency
 * `kubernetes-models` generates from the Kubernetes OpenAPI spec (one per apiVersion/kind; they accept unknown
 * fields, so typos in the fields that matter are caught by k8s-checks.ts). Custom resources (KEDA's
 * ScaledObject and TriggerAuthentication, …): the JSON schemas in crd-schemas/, named
 * `<group>_<version>_<Kind>.json`, checked with ajv. A kind with neither is an error, never a skip.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv from 'ajv';

const require = createRequire(import.meta.url);
const crdDir = join(dirname(fileURLToPath(import.meta.url)), 'crd-schemas');
const ajv = new Ajv({ allErrors: true });
const crdValidators = new Map<string, Ajv.ValidateFunction>();

type Model = new (d: unknown) => { validate(): void };

/** Where the schema of an apiVersion/kind comes from, or undefined when there is none. */
function schemaSource(apiVersion: string, kind: string): string | undefined {
  const crd = join(crdDir, `${apiVersion.replace('/', '_')}_${kind}.json`);
  if (existsSync(crd)) return crd;
  try {
    // core: "kubernetes-models/v1/ConfigMap"; groups: "kubernetes-models/apps/v1/Deployment"
    return require.resolve(`kubernetes-models/${apiVersion}/${kind}`);
  } catch {
    return undefined;
  }
}

/** The schema errors of one manifest, or null when it validates. */
export function validateManifest(o: Record<string, unknown>): string | null {
  const apiVersion = String(o['apiVersion']);
  const kind = String(o['kind']);
  const source = schemaSource(apiVersion, kind);
  if (!source)
    return `no schema for ${apiVersion} ${kind} (add tools/deploy/crd-schemas/<group>_<version>_<Kind>.json)`;
  if (source.endsWith('.json')) {
    let validate = crdValidators.get(source);
    if (!validate) {
      validate = ajv.compile(JSON.parse(readFileSync(source, 'utf8')) as object);
      crdValidators.set(source, validate);
    }
    return validate(o) ? null : ajv.errorsText(validate.errors);
  }
  const Model = (require(source) as Record<string, Model | undefined>)[kind];
  if (typeof Model !== 'function') return `kubernetes-models ${apiVersion}/${kind} exports no ${kind}`;
  try {
    new Model(o).validate();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The version of kubernetes-models in use, for test titles. */
export const kubernetesModelsVersion = (require('kubernetes-models/package.json') as { version: string })
  .version;

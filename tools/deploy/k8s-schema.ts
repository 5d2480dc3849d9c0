/**
 * Validation against the Kubernetes OpenAPI schemas, through the validators that the npm package
 * `kubernetes-models` generates from them (one per apiVersion/kind). The package is optional: it is looked
 * up in the repository's node_modules, then in FLEETQRY_K8S_MODELS_DIR (a node_modules directory holding it).
 * Kubernetes' OpenAPI schemas allow unknown fields, so typos in field names are caught by k8s-checks.ts for
 * the fields that matter, not here.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type SchemaValidator = (o: Record<string, unknown>) => Promise<string | null>;

function modulePath(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`; // core: "v1/ConfigMap"; groups: "apps/v1/Deployment"
}

/** Returns a validator, or null (with the reason) when kubernetes-models cannot be found. */
export async function loadSchemaValidator(): Promise<
  { validate: SchemaValidator; from: string } | { reason: string }
> {
  const bases = [join(process.cwd(), 'package.json')];
  if (process.env['FLEETQRY_K8S_MODELS_DIR'])
    bases.push(join(process.env['FLEETQRY_K8S_MODELS_DIR'], '..', 'package.json'));
  for (const base of bases) {
    const require = createRequire(base);
    let pkg: string;
    try {
      pkg = require.resolve('kubernetes-models/package.json');
    } catch {
      continue;
    }
    const version = (require('kubernetes-models/package.json') as { version: string }).version;
    const validate: SchemaValidator = async (o) => {
      const spec = modulePath(String(o['apiVersion']), String(o['kind']));
      // Resolved by path rather than through the package's "exports" (ESM-only in 5.x, dual in 4.x).
      const file = ['.mjs', '.js']
        .map((ext) => join(dirname(pkg), `${spec.slice('kubernetes-models/'.length)}${ext}`))
        .find((f) => existsSync(f));
      if (!file) return `no schema for ${String(o['apiVersion'])} ${String(o['kind'])} in kubernetes-models`;
      const mod = (await import(pathToFileURL(file).href)) as Record<
        string,
        new (d: unknown) => { validate(): void }
      >;
      const Model =
        mod[String(o['kind'])] ?? (mod['default'] as unknown as Record<string, never>)?.[String(o['kind'])];
      if (typeof Model !== 'function') return `kubernetes-models ${spec} exports no ${String(o['kind'])}`;
      try {
        new Model(o).validate();
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    };
    return { validate, from: `kubernetes-models@${version} (${pkg})` };
  }
  return {
    reason: 'kubernetes-models is not installed (npm i -D kubernetes-models, or set FLEETQRY_K8S_MODELS_DIR)',
  };
}

/**
 * Loads a chart directory and renders it the way `helm template` does, with helm-lite's template subset:
 * values.yaml coalesced with user values files (maps merge, null deletes a key, other values replace),
 * values checked against values.schema.json (as Helm does before rendering), every templates/*.yaml
 * rendered with the shared defines of all files (files starting with "_" render nothing), the output split
 * into documents on "---" lines and parsed as YAML 1.1 (as the API server's YAML decoder does).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

import {
  execute,
  parseTemplate,
  parseYaml11,
  strictObject,
  TemplateError,
  type ParsedFile,
} from './template.js';

export interface RenderOptions {
  valuesFiles?: string[];
  releaseName?: string;
  namespace?: string;
  /** `helm install` (default) or `helm upgrade`. */
  isUpgrade?: boolean;
}

export interface RenderedDoc {
  /** e.g. "templates/controller-deployment.yaml" */
  source: string;
  text: string;
  object: Record<string, unknown>;
}

export interface RenderedChart {
  values: Record<string, unknown>;
  files: Map<string, string>;
  docs: RenderedDoc[];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Helm's CoalesceValues for user values over chart defaults. */
export function coalesce(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = coalesce(out[k] as Record<string, unknown>, v);
    else out[k] = v;
  }
  return out;
}

function readYamlMap(path: string): Record<string, unknown> {
  const v = parseYaml11(readFileSync(path, 'utf8')) ?? {};
  if (!isMap(v)) throw new Error(`${path}: not a YAML mapping`);
  return v;
}

export function validateValues(chartDir: string, values: Record<string, unknown>): void {
  const schemaPath = join(chartDir, 'values.schema.json');
  if (!existsSync(schemaPath)) return;
  // ajv (draft-07, like Helm's schema check) is resolved from the repository's node_modules.
  const require = createRequire(import.meta.url);
  const Ajv = require('ajv') as new (o: object) => {
    validate(s: object, d: unknown): boolean;
    errorsText(e?: unknown): string;
    errors?: unknown;
  };
  const ajv = new Ajv({ allErrors: true });
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
  // Helm validates the coalesced values as JSON (numbers are float64 there too).
  if (!ajv.validate(schema, JSON.parse(JSON.stringify(values)))) {
    throw new Error(`values don't meet the specifications of the schema: ${ajv.errorsText(ajv.errors)}`);
  }
}

export function renderChart(chartDir: string, opts: RenderOptions = {}): RenderedChart {
  const chart = readYamlMap(join(chartDir, 'Chart.yaml'));
  let values = readYamlMap(join(chartDir, 'values.yaml'));
  for (const f of opts.valuesFiles ?? []) values = coalesce(values, readYamlMap(f));
  validateValues(chartDir, values);

  const releaseName = opts.releaseName ?? 'fleetqry';
  const context = strictObject({
    Values: values,
    Release: strictObject({
      Name: releaseName,
      Namespace: opts.namespace ?? 'default',
      Service: 'Helm',
      IsInstall: !opts.isUpgrade,
      IsUpgrade: Boolean(opts.isUpgrade),
      Revision: opts.isUpgrade ? 2 : 1,
    }),
    Chart: strictObject({
      Name: String(chart['name']),
      Version: String(chart['version']),
      AppVersion: String(chart['appVersion'] ?? ''),
    }),
  });

  const tdir = join(chartDir, 'templates');
  const names = readdirSync(tdir).sort();
  for (const n of names) {
    if (!/\.(ya?ml|tpl|txt)$/.test(n))
      throw new TemplateError(`templates/${n}: unexpected file in templates/`);
    if (n === 'NOTES.txt') continue;
  }
  const parsed = new Map<string, ParsedFile>();
  const defines = new Map<string, ParsedFile['defines'] extends Map<string, infer N> ? N : never>();
  for (const n of names) {
    if (n === 'NOTES.txt') continue;
    const p = parseTemplate(readFileSync(join(tdir, n), 'utf8'), `templates/${n}`);
    for (const [k, v] of p.defines) {
      if (defines.has(k)) throw new TemplateError(`templates/${n}: template "${k}" defined twice`);
      defines.set(k, v);
    }
    parsed.set(n, p);
  }

  const files = new Map<string, string>();
  const docs: RenderedDoc[] = [];
  for (const [n, p] of parsed) {
    const out = execute(p, context, defines);
    if (n.startsWith('_')) continue;
    files.set(`templates/${n}`, out);
    // Helm's releaseutil.SplitManifests: "---" separators; empty documents are dropped.
    for (const part of out.split(/(?:^|\s*\n)---\s*/)) {
      if (!part.trim()) continue;
      let object: unknown;
      try {
        object = parseYaml11(part);
      } catch (error) {
        throw new Error(`templates/${n}: rendered YAML does not parse: ${(error as Error).message}\n${part}`);
      }
      if (object === null || object === undefined) continue;
      if (!isMap(object)) throw new Error(`templates/${n}: a rendered document is not a mapping`);
      docs.push({ source: `templates/${n}`, text: part, object });
    }
  }
  return { values, files, docs };
}

import { LineCounter, parseDocument } from 'yaml';

import { issuesOf, PolicyError } from './errors.js';
import { type Policy, PolicySchema } from './schema.js';

/**
 * Parses YAML text strictly (duplicate keys are errors); YAML syntax errors become a
 * {@link PolicyError} with a `line N, column M` path.
 */
export function parseYamlText(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      source,
      doc.errors.map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return { path: `line ${at.line}, column ${at.col}`, message: e.message.split('\n')[0] ?? e.message };
      }),
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/** Validates a policy object (e.g. from JSON through the API). */
function parsePolicy(value: unknown, source = 'policy'): Policy {
  const result = PolicySchema.safeParse(value);
  if (!result.success) throw new PolicyError(source, issuesOf(result.error));
  return result.data;
}

/** Parses and validates a policy YAML document; errors name the field (`rules[3].severity: …`). */
export function parsePolicyYaml(text: string, source = 'policy'): Policy {
  return parsePolicy(parseYamlText(text, source), source);
}

import type { z } from 'zod';

export interface PolicyIssue {
  /** Field path as written in the document, e.g. `rules[3].severity`; `(root)` for the document. */
  path: string;
  message: string;
}

/** A policy (or waiver list) that cannot be used; `issues` name the fields. */
export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly PolicyIssue[],
  ) {
    super(`invalid ${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'PolicyError';
  }
}

/** `['rules', 3, 'severity']` → `rules[3].severity`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out === '' ? '(root)' : out;
}

export function issuesOf(error: z.ZodError): PolicyIssue[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    } else if (
      issue.code === 'invalid_union' &&
      'discriminator' in issue &&
      issue.discriminator !== undefined
    ) {
      const options = (issue as { options?: unknown[] }).options ?? [];
      message = `unknown ${String(issue.discriminator)}; expected one of ${options.map((o) => `"${String(o)}"`).join(', ')}`;
    }
    return { path: formatPath(issue.path), message };
  });
}

import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { ApiIssue } from '@fleetqry/contracts';
import type { z } from 'zod';

import { zodIssues } from './zod-schema.js';

/** A 400 whose message and `issues` name every field at fault (`document.targets[0].address: …`). */
export function validationError(issues: ApiIssue[], what = 'request'): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  });
}

/** Validates (and coerces/defaults) a body, query or param with its contracts schema. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly what: 'body' | 'query' | 'param',
  ) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value ?? (this.what === 'body' ? undefined : {}));
    if (!parsed.success) {
      const root = this.what === 'body' ? '(body)' : `(${this.what})`;
      throw validationError(zodIssues(parsed.error, root), this.what);
    }
    return parsed.data;
  }
}

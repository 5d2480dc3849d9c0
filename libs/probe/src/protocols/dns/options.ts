import { z } from 'zod';

import { questionFor, validateQueryName } from './message.js';

/** The DNS plugin's options: its namespace (`dns`) of the scan's protocol options. */
export interface DnsOptions {
  /** Name asked in DNS queries (default: the root, `.`, type NS, which any server answers somehow). */
  queryName?: string;
}

export const DEFAULT_DNS_OPTIONS: DnsOptions = {};

/** User input for the namespace, validated (the plugin re-checks, as for a job from elsewhere). */
export const DnsOptionsSchema = z.strictObject({
  queryName: z
    .string()
    .superRefine((name, ctx) => {
      const problem = validateQueryName(questionFor(name).name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
});

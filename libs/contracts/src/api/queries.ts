import { z } from 'zod';

import { ObservationSchema } from '../observation.js';
import { ProtoSchema } from '../port-state.js';

/**
 * A one-shot PortQry query of one target (PortQryUI in the console): a predefined service group (by id,
 * e.g. `domains-and-trusts`), a stored custom group (by name), or ports. Run by a worker, answered with
 * PortQry's own text and the observations.
 */
export const QueryRequestSchema = z
  .strictObject({
    /** One host: an address or a name (resolved by the controller, scope-checked). */
    target: z.string().trim().min(1).max(253),
    /** A service group id or alias, built in or stored. */
    group: z.string().trim().min(1).max(100).optional(),
    /** Ports in the CLI's syntax (`80,443,8000-8100`, service names). */
    ports: z.string().trim().min(1).max(1000).optional(),
    /** For `ports`: which protocol (PortQry's `-p`); a group brings its own. */
    protocol: z.enum(['tcp', 'udp', 'both']).default('tcp'),
  })
  .refine((q) => (q.group === undefined) !== (q.ports === undefined), {
    message: 'give exactly one of group or ports',
    path: ['group'],
  });
export type QueryRequest = z.infer<typeof QueryRequestSchema>;

export const QueryResultSchema = z.object({
  id: z.string(),
  target: z.string(),
  address: z.string(),
  /** What was asked, as PortQry would name it: the group's title or the port list. */
  selection: z.string(),
  /** PortQry's text output, line for line as `fleetqry -n … -e/-o …` prints it. */
  text: z.string(),
  observations: z.array(ObservationSchema),
  /** Ports that could not be probed (a local error), with the error. */
  errors: z.array(z.object({ proto: ProtoSchema, port: z.number().int(), error: z.string() })),
  durationMs: z.number().nonnegative(),
});
export type QueryResult = z.infer<typeof QueryResultSchema>;

import { z } from 'zod';

import { TimestampSchema } from './common.js';

/** Ports in the CLI's port syntax (`80,443,8000-8100`), checked by libs/probe's port parser. */
export const ServiceGroupUpsertSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'group names are lowercase letters, digits and hyphens'),
    description: z.string().max(1000).optional(),
    tcp: z.string().min(1).optional(),
    udp: z.string().min(1).optional(),
  })
  .refine((g) => g.tcp !== undefined || g.udp !== undefined, {
    message: 'a group needs tcp or udp ports',
    path: ['tcp'],
  });

export const ServiceGroupResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  tcp: z.string().nullable(),
  udp: z.string().nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

/** A built-in service group (PortQryUI's and Microsoft's published port requirements). */
export const BuiltinServiceGroupSchema = z.object({
  name: z.string(),
  title: z.string(),
  aliases: z.array(z.string()).optional(),
  description: z.string(),
  tcp: z.string().optional(),
  udp: z.string().optional(),
  notes: z.string().optional(),
});

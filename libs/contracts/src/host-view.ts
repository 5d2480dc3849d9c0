import { z } from 'zod';

import { TimestampSchema } from './api/common.js';
import { LocalSocketSchema, type LocalSocket } from './local-socket.js';

/**
 * The host view (`fleetqry agent` → `POST /host-views`): a host's listener table as libs/local reads it
 * (one `LocalSocket` per listening socket, owner process/unit included), with the host's identity. The
 * controller keeps the latest view per host name; libs/policy holds it against the network view (a run's
 * observations of the same addresses).
 */

/** Upper bound of one view (65536 ports per protocol and family is the most a host can bind, in practice). */
const MAX_HOST_VIEW_SOCKETS = 65_536;
const MAX_HOST_VIEW_ADDRESSES = 1024;

const IpAddressSchema = z.union([z.ipv4(), z.ipv6()], { error: 'an IPv4 or IPv6 address' });

/** A listening socket: TCP in LISTENING, or a UDP socket that is bound but not connected. */
export function isListener(s: Pick<LocalSocket, 'proto' | 'state' | 'remotePort'>): boolean {
  return s.proto === 'tcp' ? s.state === 'LISTENING' : s.remotePort === 0;
}

export const HostViewPushSchema = z.strictObject({
  /** The host's name (`os.hostname()`); the view replaces the previous one of the same name. */
  hostname: z
    .string()
    .trim()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-"'),
  /** The addresses of its interfaces (`os.networkInterfaces()`): how scanned addresses find this view. */
  addresses: z.array(IpAddressSchema).min(1).max(MAX_HOST_VIEW_ADDRESSES),
  /** When the socket tables were read. */
  takenAt: z.iso.datetime({ offset: true }),
  sockets: z
    .array(LocalSocketSchema)
    .max(MAX_HOST_VIEW_SOCKETS, `at most ${MAX_HOST_VIEW_SOCKETS} listeners per view`)
    .superRefine((sockets, ctx) => {
      sockets.forEach((s, i) => {
        if (!isListener(s))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'state'],
            message: 'only listeners (TCP LISTENING, unconnected UDP) belong in a host view',
          });
      });
    }),
  /** What the agent could not read (`readLocalSnapshot` problems), e.g. other users' processes. */
  problems: z.array(z.string().max(1000)).max(100).default([]),
  /** The pushing fleetqry's version. */
  agentVersion: z.string().max(64).optional(),
});
export type HostViewPush = z.infer<typeof HostViewPushSchema>;
export type HostViewPushInput = z.input<typeof HostViewPushSchema>;

/** What `POST /host-views` answers and `GET /host-views` lists (without the sockets). */
export const HostViewSummarySchema = z.object({
  id: z.string(),
  hostname: z.string(),
  addresses: z.array(z.string()),
  takenAt: TimestampSchema,
  receivedAt: TimestampSchema,
  /** The API token name that pushed it. */
  reportedBy: z.string(),
  listeners: z.number().int().nonnegative(),
  problems: z.array(z.string()),
  agentVersion: z.string().nullable(),
});
export type HostViewSummary = z.infer<typeof HostViewSummarySchema>;

/** `POST /host-views`: the view now stored, and whether it is this push (false: a later one is stored). */
export const HostViewPushResultSchema = HostViewSummarySchema.extend({ stored: z.boolean() });
export type HostViewPushResult = z.infer<typeof HostViewPushResultSchema>;

/** `GET /host-views/:id`: the summary and the listeners. */
export const HostViewDetailSchema = HostViewSummarySchema.extend({ sockets: z.array(LocalSocketSchema) });
export type HostViewDetail = z.infer<typeof HostViewDetailSchema>;

export const HostViewListQuerySchema = z.strictObject({
  /** Only views that claim this address. */
  address: IpAddressSchema.optional(),
  hostname: z.string().min(1).max(253).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type HostViewListQuery = z.infer<typeof HostViewListQuerySchema>;

/**
 * The host view as libs/policy reads it: the listeners of the host that owns a scanned address. A
 * `HostViewDetail` fits.
 */
export interface HostView {
  hostname: string;
  takenAt: string;
  sockets: readonly LocalSocket[];
}

import { z } from 'zod';

import { ProtoSchema } from './port-state.js';

/**
 * TCP connection states as PortQry (and Windows netstat) spell them. Linux's codes from /proc/net/tcp
 * map onto these (0A LISTEN → LISTENING, 03/0C SYN_RECV/NEW_SYN_RECV → SYN_RECEIVED, 07 CLOSE → CLOSED).
 */
const LOCAL_TCP_STATES = [
  'LISTENING',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECEIVED',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE_WAIT',
  'LAST_ACK',
  'CLOSING',
  'CLOSED',
  'UNKNOWN',
] as const;
const LocalTcpStateSchema = z.enum(LOCAL_TCP_STATES);
export type LocalTcpState = z.infer<typeof LocalTcpStateSchema>;

/** A shared object (or the executable) mapped into a process, at its lowest mapped address. */
const LoadedModuleSchema = z.object({
  path: z.string().min(1),
  /** Lowest start address of the file's mappings, `0x…` lowercase hex. */
  base: z.string().regex(/^0x[0-9a-f]+$/),
});
export type LoadedModule = z.infer<typeof LoadedModuleSchema>;

/** Where the owning process runs, from /proc/PID/cgroup. */
const ContainerRefSchema = z.object({
  runtime: z.enum(['docker', 'containerd', 'cri-o', 'podman', 'kubernetes', 'lxc']),
  id: z.string().min(1),
});
export type ContainerRef = z.infer<typeof ContainerRefSchema>;

/**
 * One socket of the local host (`fleetqry local`, `-local`, the watch differ, and later the agent's
 * push). Process fields are null/absent when no process could be matched: TIME_WAIT sockets have no
 * owner, and an unprivileged run cannot see other users' file descriptors.
 */
export const LocalSocketSchema = z.object({
  proto: ProtoSchema,
  family: z.enum(['ipv4', 'ipv6']),
  localAddress: z.string().min(1),
  localPort: z.number().int().min(0).max(65535),
  remoteAddress: z.string().min(1),
  remotePort: z.number().int().min(0).max(65535),
  /** TCP state; null for UDP (datagram sockets have no connection state). */
  state: LocalTcpStateSchema.nullable(),
  /** Kernel socket inode (0 for sockets no longer held by a process, e.g. TIME_WAIT). */
  inode: z.number().int().nonnegative(),
  pid: z.number().int().positive().nullable(),
  /** Process name (/proc/PID/comm), null when there is no known owner. */
  process: z.string().nullable(),
  /** Other processes holding the same socket (inherited across fork, e.g. pre-forked servers). */
  otherPids: z.array(z.number().int().positive()).optional(),
  /** Real uid of the owning process, or the socket's uid when the process is unknown. */
  uid: z.number().int().nonnegative().optional(),
  user: z.string().optional(),
  cmdline: z.string().optional(),
  /** systemd unit (`nginx.service`, `session-2.scope`) from the cgroup path. */
  unit: z.string().optional(),
  container: ContainerRefSchema.optional(),
  /** Raw cgroup path, when it named neither a unit nor a container. */
  cgroup: z.string().optional(),
  /** Loaded modules, only when asked for (verbose). */
  modules: z.array(LoadedModuleSchema).optional(),
  /** What could not be read about the owning process, e.g. `Could not access module information (EACCES)`. */
  notes: z.array(z.string()).optional(),
});
export type LocalSocket = z.infer<typeof LocalSocketSchema>;

/** Every socket of one host at one moment, and what could not be read. */
export const LocalSnapshotSchema = z.object({
  host: z.string().min(1),
  takenAt: z.string().datetime(),
  sockets: z.array(LocalSocketSchema),
  problems: z.array(z.string()),
});
export type LocalSnapshot = z.infer<typeof LocalSnapshotSchema>;

const LOCAL_CHANGES = ['new', 'state', 'closed'] as const;
const LocalChangeSchema = z.enum(LOCAL_CHANGES);

/**
 * One change seen by the watch differ between two snapshots. Produced, never parsed: the schema is the
 * type's one definition (knip: @public).
 * @public
 */
export const LocalWatchEventSchema = z.object({
  change: LocalChangeSchema,
  at: z.string().datetime(),
  socket: LocalSocketSchema,
  /** The state before, for `state` changes. */
  previousState: LocalTcpStateSchema.nullable().optional(),
});
export type LocalWatchEvent = z.infer<typeof LocalWatchEventSchema>;

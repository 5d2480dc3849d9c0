import type { Proto } from '@fleetqry/contracts';

import type { ProbeTarget } from './port-probe.js';
import { subnetOf } from './subnet-pacer.js';

/** Anything that iterates ports in order and knows its size (PortSet, arrays). */
export interface PortList {
  readonly size: number;
  [Symbol.iterator](): Iterator<number>;
}

export type PortRanges = NonNullable<ProbeTarget['exclude']>['tcp'];

export function excluded(ranges: PortRanges | undefined, port: number): boolean {
  return ranges !== undefined && ranges.some(([lo, hi]) => port >= lo && port <= hi);
}

function* portsOf(
  ports: { tcp: PortList; udp: PortList },
  exclude: ProbeTarget['exclude'],
  skipTcp?: Uint8Array,
): Generator<[Proto, number]> {
  for (const p of ports.tcp) if (!excluded(exclude?.tcp, p) && !skipTcp?.[p]) yield ['tcp', p];
  for (const p of ports.udp) if (!excluded(exclude?.udp, p)) yield ['udp', p];
}

/** Ports handed back, then whatever the iterator had left. */
function* prepend(
  items: [Proto, number][],
  current: IteratorResult<[Proto, number]>,
  rest: Iterator<[Proto, number]>,
): Generator<[Proto, number]> {
  yield* items;
  if (current.done) return;
  yield current.value;
  for (let r = rest.next(); !r.done; r = rest.next()) yield r.value;
}

/**
 * One host of a scan and the ports it has left, in order (TCP, then UDP, without the host's excluded
 * ports), pulled lazily so that a host costs no memory per port.
 */
export class HostCursor {
  /** Probes (and a UDP recheck) in flight against the host. */
  inflight = 0;
  /** The host's subnet, for loss-aware pacing. */
  readonly subnet: string;
  private ports: Iterator<[Proto, number]>;
  private head: IteratorResult<[Proto, number]>;

  constructor(
    readonly target: ProbeTarget,
    ports: { tcp: PortList; udp: PortList },
    /** The host's TCP state probes are in (or queued for) a native batch. */
    public batched = false,
    /** TCP ports left out (1 = skip, indexed by port): those the native batch decides. */
    skipTcp?: Uint8Array,
  ) {
    this.subnet = subnetOf(target.address);
    this.ports = portsOf(ports, target.exclude, skipTcp);
    this.head = this.ports.next();
  }

  /** Whether a port is left to start. */
  get pending(): boolean {
    return !this.head.done;
  }

  /** The next port to probe; only while `pending`. */
  take(): [Proto, number] {
    const port = this.head.value as [Proto, number];
    this.head = this.ports.next();
    return port;
  }

  /** Puts TCP ports back in front of the rest (those a native batch left undecided). */
  putBack(tcpPorts: readonly number[]): void {
    if (tcpPorts.length === 0) return;
    this.ports = prepend(
      tcpPorts.map((p): [Proto, number] => ['tcp', p]),
      this.head,
      this.ports,
    );
    this.head = this.ports.next();
  }
}

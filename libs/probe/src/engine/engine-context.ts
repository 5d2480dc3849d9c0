import type { IcmpLedger } from './icmp-ledger.js';
import type { LossMonitor } from './loss-monitor.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RttEstimator } from './rtt-estimator.js';
import type { SubnetPacer } from './subnet-pacer.js';

/** Shared, per-scan state the state probes need. One per scanner (per worker thread). */
export interface EngineContext {
  rtt: RttEstimator;
  rate: RateLimiter;
  /** Which hosts sent ICMP port unreachable, and for which port (for rechecks of silent UDP ports). */
  icmp: IcmpLedger;
  /** The loss the scan observed: the TCP attempts a silent port gets (at least PortQry's), and the evidence. */
  loss: LossMonitor;
  /** Loss-aware pacing per subnet. */
  pacer: SubnetPacer;
  /** Datagrams sent before a silent UDP port is LISTENING or FILTERED (covers ICMP rate limiting). */
  udpAttempts: number;
  sourcePort?: number;
}

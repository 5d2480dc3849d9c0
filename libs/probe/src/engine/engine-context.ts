import type { IcmpLedger } from './icmp-ledger.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RttEstimator } from './rtt-estimator.js';

/** Shared, per-scan state the state probes need. One per scanner (per worker thread). */
export interface EngineContext {
  rtt: RttEstimator;
  rate: RateLimiter;
  /** Which hosts sent ICMP port unreachable, and for which port (for rechecks of silent UDP ports). */
  icmp: IcmpLedger;
  /** Connect attempts before a silent TCP port is FILTERED (PortQry retries on silence). */
  tcpAttempts: number;
  /** Datagrams sent before a silent UDP port is LISTENING or FILTERED (covers ICMP rate limiting). */
  udpAttempts: number;
  sourcePort?: number;
}

import { IcmpLedger } from './icmp-ledger.js';
import { LossMonitor } from './loss-monitor.js';
import { RateLimiter } from './rate-limiter.js';
import { RttEstimator, type TimingOptions } from './rtt-estimator.js';
import { SubnetPacer } from './subnet-pacer.js';

/**
 * Half of Linux's global ICMP budget (icmp_msgs_per_sec 1000, burst 50), so rechecks alone never drain a
 * host's budget, and a small burst: a recheck round of 256 ports then takes about half a second.
 */
const RECHECK_DATAGRAMS_PER_SECOND = 500;
const RECHECK_BURST = 10;

/** Shared, per-scan state the state probes need. One per scanner (per worker thread). */
export interface EngineContext {
  rtt: RttEstimator;
  rate: RateLimiter;
  /** Which hosts sent ICMP port unreachable, and for which port (for rechecks of silent UDP ports). */
  icmp: IcmpLedger;
  /** The loss the scan observed: the TCP attempts a silent port gets (at least PortQry's), and the evidence. */
  loss: LossMonitor;
  /**
   * Paces every UDP recheck datagram of the scan below the ICMP rate a Linux host allows in all
   * (net.ipv4.icmp_msgs_per_sec, 1000 by default, shared by every destination; udp-recheck.ts).
   */
  recheckPace: RateLimiter;
  /** Loss-aware pacing per subnet. */
  pacer: SubnetPacer;
  /** Datagrams sent before a silent UDP port is LISTENING or FILTERED (covers ICMP rate limiting). */
  udpAttempts: number;
  sourcePort?: number;
}

/** A scan's engine state from its options (a ScanOptions will do). */
export function createEngineContext(opts: {
  timing: TimingOptions;
  waitFactor: number;
  limits: { ratePerSecond: number; concurrency: number };
  tcpAttempts: number;
  tcpMaxAttempts?: number;
  udpAttempts: number;
  sourcePort?: number;
}): EngineContext {
  return {
    rtt: new RttEstimator(opts.timing, opts.waitFactor),
    rate: new RateLimiter(opts.limits.ratePerSecond),
    icmp: new IcmpLedger(),
    loss: new LossMonitor(opts.tcpAttempts, opts.tcpMaxAttempts),
    recheckPace: new RateLimiter(RECHECK_DATAGRAMS_PER_SECOND, RECHECK_BURST),
    pacer: new SubnetPacer(opts.limits.concurrency),
    udpAttempts: opts.udpAttempts,
    sourcePort: opts.sourcePort,
  };
}
